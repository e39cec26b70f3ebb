import ArgumentParser

extension WalletCommand {
    struct Melt: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "melt", abstract: "Pay a Lightning invoice from the wallet (take earnings out).")
        @OptionGroup var options: Options
        @Argument(help: "A bolt11 invoice.") var invoice: String

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let m = try await w.melt(invoice: invoice)
            try options.emit(m, text: m.paid ? "paid \(m.amount) sat; fee returned \(m.change) sat" : "not paid", to: console)
            if !m.paid { throw CLIError.exit(.failure) }
        }
    }
}
