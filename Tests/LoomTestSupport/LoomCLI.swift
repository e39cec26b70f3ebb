import Foundation

/// The built `loom` binary, run as a user would run it: for tests that drive
/// the command line (exit codes, stdout, stderr) against real servers.
public enum LoomCLI {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var output: String { stdout + stderr }
    }

    /// `$LOOM_BIN`, else the debug build next to the package.
    public static var binary: String {
        if let env = ProcessInfo.processInfo.environment["LOOM_BIN"], !env.isEmpty { return env }
        return TestServer.packageRoot.appendingPathComponent(".build/debug/loom").path
    }

    /// Runs `loom arguments…` to completion. `environment` is added to a
    /// clean one (PATH and HOME only), so the developer's own NOSTR_* or
    /// .env settings never leak into a test; `directory` is the working
    /// directory (where `.env` and `whitelist` are looked for).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:],
        directory: URL? = nil, stdin: String? = nil
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let inherited = ProcessInfo.processInfo.environment
        var env = [
            "PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": inherited["HOME"] ?? "/tmp",
            "LOOM_VENV": TestServer.venv.path,
        ]
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let result = try await ChildProcess.run(process, stdin: Data((stdin ?? "").utf8))
        return Outcome(
            status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
            stderr: String(decoding: result.stderr, as: UTF8.self))
    }
}

/// `loom blossom serve` on a free loopback port, as its own process.
public final class TestBlossom: Sendable {
    public let server: TestServer
    public var url: String { "http://127.0.0.1:\(server.port)" }

    public init(arguments: [String] = []) async throws {
        server = try await TestServer(
            name: "blossom", executable: LoomCLI.binary,
            arguments: ["blossom", "serve", "--port", "{port}", "--data-dir", "{dir}/blobs"] + arguments,
            startTimeout: .seconds(30))
    }
}
