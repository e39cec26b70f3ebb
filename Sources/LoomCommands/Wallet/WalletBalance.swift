import ArgumentParser

extension WalletCommand {
    struct Balance: LoomCommand {
        static let configuration = CommandConfiguration(commandName: "balance", abstract: "Show the balance.")
        @OptionGroup var options: Options

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let b = try await w.balances()
            struct Out: Encodable { let mint: String; let unit: String; let balance: UInt64; let pending: UInt64 }
            let pending = (b[.pending]?.value ?? 0) + (b[.reserved]?.value ?? 0)
            let out = Out(mint: w.mint.url, unit: w.unit.rawValue, balance: b[.unspent]?.value ?? 0, pending: pending)
            try options.emit(out, text: "\(out.balance) \(out.unit)" + (pending > 0 ? " (\(pending) pending)" : ""), to: console)
        }
    }
}
