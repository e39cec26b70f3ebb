import ArgumentParser
import Blossom
import CashuWallet
import Foundation
import LoomClient
import LoomWorker
import NostrRelay

/// The one place where an error becomes what the user sees: a message on
/// stderr and an exit code (`ExitStatus`; README.md, "Exit codes").
enum ErrorReport {
    /// The command line did not parse or `validate()` refused it, or it asked
    /// for help or the version: ArgumentParser's own text, with the usage of
    /// the command at fault (exit 64), or the help on stdout (exit 0).
    static func parsing(_ error: any Error, to console: Console) -> Int32 {
        let text = Loom.fullMessage(for: error)
        let code = Loom.exitCode(for: error)
        if !text.isEmpty {
            if code == .success { console.print(text) } else { console.warn(text) }
        }
        return code.rawValue
    }

    /// An error a running command threw: one line `error: …` on stderr.
    static func running(_ error: any Error, to console: Console) -> Int32 {
        // A group run without a subcommand asks for its help; an ExitCode says its code.
        if error is CleanExit || error is ExitCode { return parsing(error, to: console) }
        let (status, message) = classify(error)
        if let message { console.warn("error: \(message)") }
        return status.rawValue
    }

    /// The exit status an error means, and its message (nil: say nothing).
    static func classify(_ error: any Error) -> (ExitStatus, String?) {
        switch error {
        case let error as CLIError: (error.exitCode, error.message)
        // What the user gave is missing or malformed: a key, a relay, a mint, a setting.
        case let error as ValidationError: (.usage, error.message)
        case let error as ConfigurationError: (.usage, error.description)
        // The other side failed or said no: a mint, a relay, a Blossom server, a worker.
        case let error as WalletError: (.failure, error.description)
        case let error as ClientError: (.failure, error.description)
        case let error as BlossomError: (.failure, error.description)
        case let error as RelayError: (.failure, error.description)
        default: (.failure, describe(error))
        }
    }

    /// As ArgumentParser words an error it does not know.
    private static func describe(_ error: any Error) -> String {
        if let text = (error as? LocalizedError)?.errorDescription { return text }
        if type(of: error) is NSError.Type { return (error as NSError).localizedDescription }
        return String(describing: error)
    }
}
