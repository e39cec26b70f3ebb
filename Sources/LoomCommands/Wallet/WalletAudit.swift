import ArgumentParser

extension WalletCommand {
    struct Audit: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Check that the balance equals the unspent proofs and the history; exit 1 on any mismatch.")
        @OptionGroup var options: Options

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let r = try await w.audit()
            try options.emit(
                r,
                text: r.ok ? "ok: balance \(r.balance) sat matches history" : "MISMATCH:\n" + r.problems.joined(separator: "\n"),
                to: console)
            if !r.ok { throw CLIError.exit(.failure) }
        }
    }
}
