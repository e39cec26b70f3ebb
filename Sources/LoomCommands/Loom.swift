import ArgumentParser
import Foundation
import Logging

/// `loom`: the root of every command. The executable only bootstraps logging and runs it.
public struct Loom: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "loom",
        abstract: "A Nostr compute-marketplace worker paid in Cashu ecash.",
        discussion: """
            Operators run `loom worker` beside Ollama; clients use `loom job`; \
            `loom nostr` is a toolbox for scripts and debugging.
            """,
        version: LoomVersion.string,
        subcommands: [
            Keygen.self, NostrCommand.self, WalletCommand.self, BlossomCommand.self, WorkerCommand.self,
            JobCommand.self, WorkersCommand.self, GatewayCommand.self, WhitelistCommand.self, DoctorCommand.self,
        ]
    )

    public init() {}

    /// Logs go to stderr at `$LOOM_LOG_LEVEL` (default `warning` for the
    /// command-line tools; `loom worker run` raises its own logger to `info`).
    public static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["LOOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

enum LoomVersion {
    static let string = "0.1.0"
}
