import ArgumentParser
import Foundation

extension WalletCommand {
    struct History: LoomCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "List operations, newest first.")
        @OptionGroup var options: Options
        @Option(help: "At most this many.") var limit: Int = 50

        func run(_ console: Console) async throws {
            let w = try await options.open()
            let ops = try await w.history(limit: limit)
            if options.json {
                try console.printJSON(ops)
            } else {
                for o in ops {
                    let date = Date(timeIntervalSince1970: TimeInterval(o.createdAt)).formatted(.iso8601)
                    let kind = o.kind.padding(toLength: 8, withPad: " ", startingAt: 0)
                    let amount = String(o.amount).padding(toLength: 8, withPad: " ", startingAt: 0)
                    console.print("\(date)  \(kind) \(amount) fee \(o.fee)  \(o.state)\(o.error.map { "  (\($0))" } ?? "")")
                }
            }
        }
    }
}
