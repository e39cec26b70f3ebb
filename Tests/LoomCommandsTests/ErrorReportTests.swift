import ArgumentParser
import CashuWallet
import Foundation
import LoomClient
import LoomWorker
import Testing

@testable import LoomCommands

/// `ErrorReport` is the one place where errors become exit codes; each kind
/// of error the commands meet has its row here.
struct ErrorReportTests {
    struct Unknown: Error, CustomStringConvertible { var description: String { "something odd" } }

    @Test func everyKindOfErrorHasItsExitStatus() {
        #expect(ErrorReport.classify(CLIError("no list named x", exitCode: .refused)) == (.refused, "no list named x"))
        #expect(ErrorReport.classify(CLIError.exit(.jobCancelled)) == (.jobCancelled, nil))
        #expect(ErrorReport.classify(ValidationError("no mint")) == (.usage, "no mint"))
        let setting = ConfigurationError(key: "NOSTR_RELAYS", problem: "not set", fix: "list relay URLs")
        #expect(ErrorReport.classify(setting) == (.usage, setting.description))
        #expect(ErrorReport.classify(WalletError.wrongMint(token: "a", wallet: "b")).0 == .failure)
        #expect(ErrorReport.classify(ClientError.unknownJob("ab")).0 == .failure)
        #expect(ErrorReport.classify(Unknown()) == (.failure, "something odd"))
    }

    @Test func aCommandsErrorIsOneLineAndSilentExitsSayNothing() {
        let (console, capture) = Console.capturing()
        #expect(ErrorReport.running(ClientError.unknownJob("ab"), to: console) == 1)
        #expect(capture.stderr == "error: \(ClientError.unknownJob("ab"))\n")
        let (quiet, silent) = Console.capturing()
        #expect(ErrorReport.running(CLIError.exit(.failure), to: quiet) == 1)
        #expect(silent.stderr.isEmpty && silent.stdout.isEmpty)
    }

    /// `--json` objects write an absent optional as null, so `jq` always finds the key.
    @Test func nullableKeysAreWritten() throws {
        struct Row: Encodable {
            @Nullable var bill: Int?
            @Nullable var model: String?
            let id: String
        }
        #expect(try JSONOutput.string(Row(bill: nil, model: "m/1", id: "x")) == #"{"bill":null,"id":"x","model":"m/1"}"#)
    }
}
