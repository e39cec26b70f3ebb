import ArgumentParser
import LoomClient
import Testing

@testable import LoomCommands

/// Which relays the client commands would use, decided at parse level:
/// nothing is dialled, so the public defaults are checked without traffic.
struct ClientRelayOptionsTests {
    @Test func clientCommandsDefaultToThePublicRelays() throws {
        for arguments in [["workers"], ["job", "submit", "hi"], ["job", "watch", "abcd1234"], ["job", "cancel", "abcd1234"]] {
            let options = try Self.clientOptions(arguments)
            let choice = options.relayChoice(environment: nil)
            #expect(choice.source == .publicDefaults, "\(arguments)")
            #expect(choice.urls == RelayChoice.publicRelays, "\(arguments)")
        }
    }

    @Test func relayFlagsAndTheEnvironmentOverrideThem() throws {
        let flagged = try Self.clientOptions(["workers", "--relay", "ws://127.0.0.1:1", "--relay", "ws://127.0.0.1:2"])
        #expect(flagged.relayChoice(environment: "wss://env.example").urls == ["ws://127.0.0.1:1", "ws://127.0.0.1:2"])
        let plain = try Self.clientOptions(["job", "submit", "hi"])
        #expect(plain.relayChoice(environment: "ws://127.0.0.1:7447").urls == ["ws://127.0.0.1:7447"])
    }

    /// The notice goes to stderr, and only when the defaults were taken.
    @Test func theDefaultIsSaidOnStderr() throws {
        let options = try Self.clientOptions(["workers"])
        let (console, capture) = Console.capturing()
        #expect(options.relayURLs(console, environment: nil) == RelayChoice.publicRelays)
        #expect(
            capture.stderr
                == "note: no relay configured (--relay, NOSTR_RELAYS): using the public relays wss://relay.damus.io, wss://nos.lol, wss://relay.primal.net\n"
        )
        #expect(capture.stdout.isEmpty, "stdout stays the command's output")

        let (quiet, quietCapture) = Console.capturing()
        #expect(options.relayURLs(quiet, environment: "ws://127.0.0.1:7447") == ["ws://127.0.0.1:7447"])
        let flagged = try Self.clientOptions(["workers", "--relay", "ws://127.0.0.1:1"])
        #expect(flagged.relayURLs(quiet, environment: nil) == ["ws://127.0.0.1:1"])
        #expect(quietCapture.stderr.isEmpty)
    }

    static func clientOptions(_ arguments: [String]) throws -> ClientOptions {
        let command = try Loom.parseAsRoot(arguments)
        switch command {
        case let c as WorkersCommand: return c.client
        case let c as JobCommand.Submit: return c.client
        case let c as JobCommand.Watch: return c.client
        case let c as JobCommand.Cancel: return c.client
        default: throw ValidationError("not a client command: \(arguments)")
        }
    }
}
