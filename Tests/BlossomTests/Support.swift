import AsyncHTTPClient
import Blossom
import BlossomClient
import BlossomServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Nostr
import Secp256k1

/// A Blossom server started in-process on a free loopback port.
struct RunningServer: Sendable {
    let url: URL
    let dataDirectory: String

    /// Regular files under the data directory's blobs/ and tmp/: after a
    /// refused upload both must be empty.
    func storedFiles() -> [String] {
        ["blobs", "tmp"].flatMap { sub -> [String] in
            let dir = dataDirectory + "/" + sub
            let all = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
            return all.filter { path in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir) && !isDir.boolValue
            }
        }
    }

    func blobPath(_ sha256: String) -> String { "\(dataDirectory)/blobs/\(sha256.prefix(2))/\(sha256)" }
}

func temporaryDirectory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blossom-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs `body` against a fresh server, then stops it and removes its files.
func withBlossomServer<T: Sendable>(
    _ configure: (inout BlossomServerConfiguration) -> Void = { _ in },
    _ body: (RunningServer) async throws -> T
) async throws -> T {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = BlossomServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: dir)
    configure(&config)
    let server = try BlossomServer(configuration: config)
    return try await withApplication({ sink in server.makeApplication(logger: quietLogger, onRunning: sink) }) { port in
        try await body(RunningServer(url: URL(string: "http://127.0.0.1:\(port)")!, dataDirectory: dir))
    }
}

/// Starts any Hummingbird app built with `portSink`, hands its port to `body`,
/// and cancels it afterwards.
func withApplication<App: ApplicationProtocol, T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = make { port in continuation.yield(port); continuation.finish() }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BlossomError.noServers }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Stopping a server by cancelling its task makes Hummingbird log at error
/// level; tests only care about what clients see.
let quietLogger: Logger = {
    var logger = Logger(label: "blossom-test")
    logger.logLevel = .critical
    return logger
}()

/// A plain HTTP exchange, for requests the client would never send.
struct RawResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data
    var reason: String { headers.first(name: "X-Reason") ?? "" }
}

func raw(
    _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil
) async throws -> RawResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return RawResponse(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
}

/// An upload token with every field overridable, to build each kind of bad token.
func uploadToken(
    for data: Data, key: SecretKey, kind: Int = BlossomAuth.kind, verb: String = "upload",
    hash: String? = nil, expiration: Int64 = Event.now() + 300, createdAt: Int64 = Event.now()
) throws -> String {
    let tags = [["t", verb], ["expiration", String(expiration)], ["x", hash ?? BlobHash.of(data)]]
    let event = try Event.sign(kind: kind, content: "Upload test blob", tags: tags, createdAt: createdAt, with: key)
    return BlossomAuth.headerValue(for: event)
}

/// A client that gives up quickly, so failure tests stay fast.
func quickClient(_ servers: [URL], key: SecretKey? = SecretKey.generate(), attempts: Int = 2) -> BlossomClient {
    BlossomClient(
        configuration: .init(servers: servers, retry: RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
                             requestTimeout: .seconds(20)),
        key: key)
}

func randomData(_ count: Int) -> Data {
    var g = SystemRandomNumberGenerator()
    return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &g) })
}
