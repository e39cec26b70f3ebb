import ArgumentParser

extension WalletCommand {
    struct Check: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Settle interrupted operations and drop proofs the mint says are spent.")
        @OptionGroup var options: Options

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let r = try await w.check()
            try options.emit(
                r,
                text: "balance \(r.balance) sat; \(r.foundSpent) sat found spent; "
                    + "\(r.settledOperations.count) operations settled; \(r.stillPending.count) still pending",
                to: console)
        }
    }
}
