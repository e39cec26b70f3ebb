import Foundation

/// `scripts/mute_relay.py --pass-ok --drop-kinds 20000-29999` in front of a
/// real relay: a relay that answers OK to ephemeral events and never passes
/// them on (NIP-01 lets a relay keep none, and some forward none either),
/// while everything else goes through, OKs included.
public final class TestEphemeralDroppingRelay: Sendable {
    public let server: TestServer
    public var url: String { "ws://127.0.0.1:\(server.port)" }

    public init(upstream: TestRelay) async throws {
        let script = TestServer.packageRoot.appendingPathComponent("scripts/mute_relay.py").path
        server = try await TestServer(
            name: "ephemeral-dropping-relay", executable: TestServer.venv.appendingPathComponent("bin/python3").path,
            arguments: [script, "--port", "{port}", "--upstream", upstream.url, "--pass-ok", "--drop-kinds", "20000-29999"])
    }
}
