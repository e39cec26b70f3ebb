import Foundation

/// `scripts/mute_relay.py` in front of a real relay: every message passes
/// both ways except the relay's OK replies. A publisher on it never hears
/// that its event was taken (and waits out its timeout), while subscribers
/// of the real relay see the event at once.
public final class TestMuteRelay: Sendable {
    public let server: TestServer
    public var url: String { "ws://127.0.0.1:\(server.port)" }

    public init(upstream: TestRelay) async throws {
        let script = TestServer.packageRoot.appendingPathComponent("scripts/mute_relay.py").path
        server = try await TestServer(
            name: "mute-relay", executable: TestServer.venv.appendingPathComponent("bin/python3").path,
            arguments: [script, "--port", "{port}", "--upstream", upstream.url])
    }
}
