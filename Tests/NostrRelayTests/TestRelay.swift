import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `nostr-relay` (PyPI) on a free loopback port with its own SQLite
/// file, for one test. Found in `$LOOM_VENV/bin` (default `<package>/.venv`).
final class TestRelay: @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "nostr-relay is not installed at \(path). Run `make test` (or `scripts/relay.sh install`) "
                + "to install it into the venv, or point LOOM_VENV at a venv that has `pip install nostr-relay==1.14`."
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var executable: String {
        let venv = ProcessInfo.processInfo.environment["LOOM_VENV"].flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent(".venv").path
        return URL(fileURLWithPath: venv).appendingPathComponent("bin/nostr-relay").path
    }

    let port: Int
    let directory: URL
    var url: String { "ws://127.0.0.1:\(port)" }
    // Only touched from the test that owns this relay, one step at a time.
    private var process: Process?

    /// Starts a relay; `maxEventSize` is nostr-relay's limit on content length.
    init(maxEventSize: Int = 4096) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else { throw Missing(path: Self.executable) }
        port = try Self.unusedPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loom-relay-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try config(maxEventSize: maxEventSize).write(to: directory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        try await start()
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// uvicorn keeps it to one process, so killing it leaves no worker behind.
    private func config(maxEventSize: Int) -> String {
        """
        storage:
          sqlalchemy.url: sqlite+aiosqlite:///\(directory.appendingPathComponent("relay.sqlite3").path)
          validators:
            - nostr_relay.validators.is_not_too_large
            - nostr_relay.validators.is_signed
            - nostr_relay.validators.is_recent
        gunicorn:
          bind: 127.0.0.1:\(port)
          loglevel: warning
        max_event_size: \(maxEventSize)
        """
    }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-c", directory.appendingPathComponent("config.yaml").path, "serve", "--use-uvicorn"]
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("relay.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                throw StartFailed(description: "nostr-relay exited at start:\n" + logTail())
            }
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw StartFailed(description: "nostr-relay did not listen on \(port) within 60 s:\n" + logTail())
    }

    /// SIGKILL, as a crash would: no goodbye to the clients.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Same port, same database.
    func restart() async throws {
        stop()
        try await start()
    }

    func logTail() -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("relay.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    // MARK: sockets

    /// A loopback port nothing listens on (until someone binds it).
    static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw StartFailed(description: "socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw StartFailed(description: "could not find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
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
