import ArgumentParser
import CashuWallet

extension WalletCommand {
    struct Restore: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Recover a wallet from its 12 words (read from stdin) into this data directory.")
        @OptionGroup var options: Options

        func run(_ console: Console) async throws {
            let phrase = console.readInput().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let store = try options.store()
            do { try Wallet.importMnemonic(phrase, into: store) } catch { throw ValidationError("\(error)") }
            let w = try Wallet(store: store, mintURL: try options.mintURL(), crashPoint: Defaults.crashPoint)
            let amount = try await w.restore()
            struct Out: Encodable { let restored: UInt64; let balance: UInt64 }
            let out = Out(restored: amount.value, balance: try await w.balance().value)
            try options.emit(out, text: "restored \(out.restored) sat; balance \(out.balance) sat", to: console)
        }
    }
}
