import Blossom
import BlossomClient
import Foundation
import Secp256k1

/// Blossom through `loom blossom serve` in a child process on loopback:
/// upload and download of a 10 MB blob (fresh bytes each upload), and the
/// server's resident memory when idle and after the transfers.
enum BlossomBench {
    static func run(seconds: Double) async throws -> [BenchResult] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 40000...60000)
        let server = Process()
        server.executableURL = try loomExecutable()
        server.arguments = ["blossom", "serve", "--port", String(port), "--data-dir", dir.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }

        let url = URL(string: "http://127.0.0.1:\(port)")!
        let client = BlossomClient(servers: [url], key: SecretKey.generate())
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await client.exists(String(repeating: "0", count: 64))) != nil
        }
        guard ready else { throw BenchFailure("`loom blossom serve` did not answer on port \(port) within 10 s") }
        try await Task.sleep(for: .seconds(1))
        let idle = residentBytes(pid: server.processIdentifier)

        var blob = Data(SecureRandom.bytes(10 << 20))
        let clock = ContinuousClock()
        var uploads = 0, downloads = 0
        var last = ""
        let upStart = clock.now
        while clock.now - upStart < .milliseconds(Int64(seconds * 1000)) || uploads < 3 {
            blob.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(uploads) &+ 1, as: UInt64.self) }
            last = try await client.upload(blob, type: "application/octet-stream").sha256
            uploads += 1
        }
        let upSeconds = secondsOf(clock.now - upStart)
        let downStart = clock.now
        while clock.now - downStart < .milliseconds(Int64(seconds * 1000)) || downloads < 3 {
            _ = try await client.download(last)
            downloads += 1
        }
        let downSeconds = secondsOf(clock.now - downStart)
        let busy = residentBytes(pid: server.processIdentifier)
        let mb = Double(blob.count) / 1_000_000
        return [
            BenchResult(
                name: "blossom.upload.10MB (MB/s)", iterations: uploads, seconds: upSeconds,
                opsPerSecond: Double(uploads) * mb / upSeconds),
            BenchResult(
                name: "blossom.download.10MB (MB/s)", iterations: downloads, seconds: downSeconds,
                opsPerSecond: Double(downloads) * mb / downSeconds),
            BenchResult(
                name: "blossom.serve.idle RSS (MB)", iterations: 1, seconds: 0, opsPerSecond: Double(idle ?? 0) / 1_000_000),
            BenchResult(
                name: "blossom.serve.after-transfers RSS (MB)", iterations: 1, seconds: 0,
                opsPerSecond: Double(busy ?? 0) / 1_000_000),
        ]
    }

    /// `$LOOM_BIN`, else the `loom` built beside this executable (`swift build
    /// --product loom` and `--product loom-bench` write to the same folder).
    static func loomExecutable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["LOOM_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let own = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        let loom = own.deletingLastPathComponent().appendingPathComponent("loom")
        guard FileManager.default.isExecutableFile(atPath: loom.path) else {
            throw BenchFailure(
                "no \(loom.path) to run `loom blossom serve`: build it (swift build --product loom) or set LOOM_BIN")
        }
        return loom
    }

    static func secondsOf(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The child's resident memory: VmRSS from /proc on Linux; macOS has no
    /// /proc, so there `ps -o rss=` (kB, as on Linux) answers. nil when unknown.
    static func residentBytes(pid: Int32) -> Int? {
        #if os(Linux)
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { return nil }
            return kb * 1024
        #elseif os(macOS)
            let ps = Process()
            ps.executableURL = URL(fileURLWithPath: "/bin/ps")
            ps.arguments = ["-o", "rss=", "-p", String(pid)]
            let out = Pipe()
            ps.standardOutput = out
            ps.standardError = FileHandle.nullDevice
            do { try ps.run() } catch { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            ps.waitUntilExit()
            guard ps.terminationStatus == 0,
                let kb = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else { return nil }
            return kb * 1024
        #else
            return nil
        #endif
    }
}
