import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real server process (relay, mint, …) on a free loopback port with its
/// own directory, owned by one test. Killed with SIGKILL on `stop()` and at
/// deinit, the way a crash would end it.
public final class TestServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let name: String
    public let port: Int
    public let directory: URL
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    // Only touched from the test that owns this server, one step at a time.
    private var process: Process?

    /// `arguments` and `environment` may use `{port}` and `{dir}`.
    public init(
        name: String, executable: String, arguments: [String], environment: [String: String] = [:],
        port: Int? = nil, startTimeout: Duration = .seconds(60)
    ) async throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(
                description:
                    "\(name) is not installed at \(executable). Run `make test` (it installs the test servers into .venv), or set LOOM_VENV to a venv that has them."
            )
        }
        self.name = name
        self.port = try port ?? Self.unusedPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "loom-\(name)-\(self.port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fill = { [port = self.port, dir = directory.path] (s: String) in
            s.replacingOccurrences(of: "{port}", with: String(port)).replacingOccurrences(of: "{dir}", with: dir)
        }
        self.executable = executable
        self.arguments = arguments.map(fill)
        self.environment = environment.mapValues(fill)
        try await start(timeout: startTimeout)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the process and waits until it listens, at most `timeout` from
    /// when its boot begins (`BootGate`: only a few boot at once).
    public func start(timeout: Duration = .seconds(60)) async throws {
        try await BootGate.shared.admit { try await self.boot(timeout: timeout) }
    }

    private func boot(timeout: Duration) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = directory.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw Failure(description: "\(name) exited at start:\n" + logTail()) }
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw Failure(description: "\(name) did not listen on \(port) within \(timeout):\n" + logTail())
    }

    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Same port, same directory (so the same database).
    public func restart() async throws {
        stop()
        try await start()
    }

    public func logTail(_ lines: Int = 30) -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: where things are

    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The venv `make test` fills: `$LOOM_VENV`, else `<package>/.venv`.
    public static var venv: URL {
        let env = ProcessInfo.processInfo.environment["LOOM_VENV"].flatMap { $0.isEmpty ? nil : $0 }
        return URL(fileURLWithPath: env ?? packageRoot.appendingPathComponent(".venv").path)
    }

    // MARK: sockets

    /// A loopback port nothing listens on, never handed out twice in this
    /// process: servers start slowly, and a port released by the probe could
    /// otherwise go to two of them at once.
    public static func unusedPort() throws -> Int {
        for _ in 0..<100 {
            let port = try probePort()
            if PortRegistry.shared.claim(port) { return port }
        }
        throw Failure(description: "could not find an unclaimed loopback port")
    }

    static func probePort() throws -> Int {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    #if canImport(Glibc)
        private static let streamSocket = Int32(SOCK_STREAM.rawValue)
    #else
        private static let streamSocket = SOCK_STREAM
    #endif

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

/// Ports this test process has handed out.
final class PortRegistry: @unchecked Sendable {
    static let shared = PortRegistry()
    private let lock = NSLock()
    private var claimed = Set<Int>()

    func claim(_ port: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return claimed.insert(port).inserted
    }
}
