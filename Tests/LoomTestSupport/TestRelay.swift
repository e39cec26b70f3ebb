import Foundation

/// A real `nostr-relay` (PyPI) on a free loopback port with its own SQLite
/// file, started through `scripts/relay.sh serve`, for one test.
public final class TestRelay: Sendable {
    public let server: TestServer
    public var url: String { "ws://127.0.0.1:\(server.port)" }
    public var port: Int { server.port }

    /// `maxEventSize` is nostr-relay's limit on content length.
    public init(maxEventSize: Int = 4096) async throws {
        server = try await TestServer(
            name: "relay",
            executable: TestServer.packageRoot.appendingPathComponent("scripts/relay.sh").path,
            arguments: ["serve", "{port}", "{dir}", String(maxEventSize)],
            environment: ["LOOM_VENV": TestServer.venv.path])
    }

    /// SIGKILL, as a crash would: no goodbye to the clients.
    public func stop() { server.stop() }

    /// Same port, same database.
    public func restart() async throws { try await server.restart() }

    public static func unusedPort() throws -> Int { try TestServer.unusedPort() }
}
