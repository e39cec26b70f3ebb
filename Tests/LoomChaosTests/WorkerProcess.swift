import Foundation
import LoomTestSupport

/// `loom worker run` as its own process, as an operator runs it: killed
/// with SIGKILL (a crash) or SIGTERM (a graceful stop) and started again on
/// the same data directory. Every start appends to one log.
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    let log: URL

    init(environment: [String: String], directory: URL, log: URL) throws {
        self.log = log
        process.executableURL = URL(fileURLWithPath: LoomCLI.binary)
        process.arguments = ["worker", "run"]
        // A clean environment, so a developer's own NOSTR_* or .env never leaks in.
        let inherited = ProcessInfo.processInfo.environment
        process.environment = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": inherited["HOME"] ?? "/tmp"]
            .merging(environment) { $1 }
        process.currentDirectoryURL = directory
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// A test that fails half way must not leave a worker behind.
    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    var isRunning: Bool { process.isRunning }
    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end; false if it is still running at the deadline.
    func exited(within limit: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// How many times a worker writing to `log` has said it is serving.
    static func servingCount(_ log: URL) -> Int {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: "worker serving").count - 1
    }
}
