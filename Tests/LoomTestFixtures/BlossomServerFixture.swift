import Blossom
import BlossomClient
import BlossomServer
import Foundation
import Secp256k1

/// A Blossom server started in-process on a free loopback port.
public struct RunningServer: Sendable {
    public let url: URL
    public let dataDirectory: String

    /// Regular files under the data directory's blobs/ and tmp/: after a
    /// refused upload both must be empty.
    public func storedFiles() -> [String] {
        ["blobs", "tmp"].flatMap { sub -> [String] in
            let dir = dataDirectory + "/" + sub
            let all = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
            return all.filter { path in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir) && !isDir.boolValue
            }
        }
    }

    public func blobPath(_ sha256: String) -> String { "\(dataDirectory)/blobs/\(sha256.prefix(2))/\(sha256)" }
}

/// Runs `body` against a fresh server, then stops it and removes its files.
public func withBlossomServer<T: Sendable>(
    _ configure: (inout BlossomServerConfiguration) -> Void = { _ in },
    _ body: (RunningServer) async throws -> T
) async throws -> T {
    let dir = temporaryDirectory("blossom").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = BlossomServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: dir)
    configure(&config)
    let server = try BlossomServer(configuration: config)
    return try await withApplication({ sink in server.makeApplication(logger: quietLogger, onRunning: sink) }) { port in
        try await body(RunningServer(url: URL(string: "http://127.0.0.1:\(port)")!, dataDirectory: dir))
    }
}

/// A client that gives up quickly, so failure tests stay fast.
public func quickClient(_ servers: [URL], key: SecretKey? = SecretKey.generate(), attempts: Int = 2) -> BlossomClient {
    BlossomClient(
        configuration: .init(
            servers: servers,
            retry: RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
            requestTimeout: .seconds(20)),
        key: key)
}

public func randomData(_ count: Int) -> Data {
    var g = SystemRandomNumberGenerator()
    return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &g) })
}
