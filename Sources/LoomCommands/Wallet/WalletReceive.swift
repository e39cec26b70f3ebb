import ArgumentParser

extension WalletCommand {
    struct Receive: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "receive", abstract: "Receive a token (swap it into this wallet).")
        @OptionGroup var options: Options
        @OptionGroup var key: OptionalKeyOptions
        @Argument(help: "The cashuA/cashuB token; read from stdin when omitted or `-`.") var token: String?

        func run(_ console: Console) async throws {
            let text = (token == nil || token == "-" ? console.readInput() : token!).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let w = try await options.open(lockKey: try key.secretKeyIfGiven(console))
            let r = try await w.receive(text)
            try options.emit(r, text: "received \(r.received) sat (token \(r.amount), mint fee \(r.fee))", to: console)
        }
    }
}
