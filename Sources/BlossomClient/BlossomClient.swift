import AsyncHTTPClient
import Blossom
import Foundation
import LoomHTTP
import NIOCore
import NIOHTTP1
import Nostr
import Secp256k1

/// A client for one or more Blossom servers (BUD-01, BUD-02, BUD-06, BUD-12).
///
/// Servers are tried in the order given. On one server, transient failures
/// (connect errors, 5xx) are retried with backoff; a 4xx or a corrupt blob
/// moves on to the next server at once. When every server fails the error is
/// `BlossomError.allServersFailed`, holding each server's own error.
public struct BlossomClient: Sendable {
    public struct Configuration: Sendable {
        /// Base URLs, e.g. `https://cdn.example.com`. Endpoints live at the root (BUD-01).
        public var servers: [URL]
        public var retry: RetryPolicy
        /// How long a signed authorization stays valid (its NIP-40 expiration).
        public var authorizationLifetime: Int64
        /// Deadline for a request up to the response head (uploads included).
        public var requestTimeout: Duration
        /// Whether to ask `HEAD /upload` (BUD-06) before sending a body.
        public var preflight: Bool

        public init(
            servers: [URL], retry: RetryPolicy = RetryPolicy(), authorizationLifetime: Int64 = 300,
            requestTimeout: Duration = .seconds(300), preflight: Bool = true
        ) {
            self.servers = servers
            self.retry = retry
            self.authorizationLifetime = authorizationLifetime
            self.requestTimeout = requestTimeout
            self.preflight = preflight
        }
    }

    public let configuration: Configuration
    let http: HTTPClient
    let key: SecretKey?

    /// - Parameters:
    ///   - key: signs upload and delete authorizations; reads need none.
    ///   - httpClient: defaults to `BlossomClient.sharedHTTPClient`. A client of
    ///     your own should be made with `makeHTTPClient` (see there for why).
    public init(configuration: Configuration, key: SecretKey? = nil, httpClient: HTTPClient = BlossomClient.sharedHTTPClient) {
        self.configuration = configuration
        self.key = key
        self.http = httpClient
    }

    public init(servers: [URL], key: SecretKey? = nil, httpClient: HTTPClient = BlossomClient.sharedHTTPClient) {
        self.init(configuration: Configuration(servers: servers), key: key, httpClient: httpClient)
    }

    /// An HTTP client suited to server fallback. AsyncHTTPClient normally keeps
    /// re-dialling a refused connection until the request deadline, which would
    /// make a dead server cost minutes; here a failed connect fails the request
    /// at once so `RetryPolicy` and the next server decide what happens (`LoomHTTP`).
    /// - connect 10 s: Blossom servers are remote, often behind a CDN;
    /// - up to 5 redirects: BUD-01 lets a server redirect to another URL
    ///   holding the same hash, and the body is hashed whatever its origin;
    /// - no decompression: a blob's bytes are hashed exactly as they arrive.
    /// The caller owns it and must shut it down.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(10)) -> HTTPClient {
        LoomHTTP.makeClient(connectTimeout: connectTimeout, redirects: .follow(max: 5, allowCycles: false))
    }

    /// One `makeHTTPClient()` for the whole process, never shut down (like
    /// `HTTPClient.shared`); immutable once made.
    public static let sharedHTTPClient: HTTPClient = makeHTTPClient()

    // MARK: plumbing shared by the endpoint files

    /// `base` + `/path`, keeping any path prefix the base URL has.
    static func endpoint(_ base: URL, _ path: String) -> String {
        var s = base.absoluteString
        while s.hasSuffix("/") { s.removeLast() }
        return s + "/" + path
    }

    static func name(_ server: URL) -> String { server.absoluteString }

    func signedHeader(verb: BlossomVerb, content: String, hashes: [String], servers: [String] = []) throws -> String {
        guard let key else { throw BlossomError.noKey }
        let now = Event.now()
        let event = try BlossomAuth.token(
            verb: verb, content: content, hashes: hashes, servers: servers,
            expiration: now + configuration.authorizationLifetime, createdAt: now, key: key)
        return BlossomAuth.headerValue(for: event)
    }

    func execute(_ request: HTTPClientRequest, server: URL) async throws -> HTTPClientResponse {
        do {
            let ms =
                configuration.requestTimeout.components.seconds * 1000
                + configuration.requestTimeout.components.attoseconds / 1_000_000_000_000_000
            return try await http.execute(request, timeout: .milliseconds(ms))
        } catch let error as CancellationError {
            throw error
        } catch {
            throw BlossomError.transport(server: Self.name(server), message: String(describing: error))
        }
    }

    /// Turns a non-2xx answer into `.status`, carrying the server's `X-Reason`.
    static func statusError(_ response: HTTPClientResponse, server: URL) -> BlossomError {
        .status(server: name(server), code: Int(response.status.code), reason: response.headers.first(name: "X-Reason"))
    }

    /// Reads a small JSON body (descriptors, lists) with a cap so a hostile
    /// server cannot make us buffer without limit.
    static func decodeJSON<T: Decodable>(
        _ type: T.Type, _ response: HTTPClientResponse, server: URL, limit: Int = 8 << 20
    ) async throws -> T {
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: limit) } catch {
            throw BlossomError.transport(server: name(server), message: "reading body: \(error)")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView)) } catch {
            throw BlossomError.invalidResponse(server: name(server), message: "body is not the expected JSON: \(error)")
        }
    }

    /// Runs `operation` against each server in order until one succeeds,
    /// retrying transient failures on the same server with backoff.
    func withFallback<T: Sendable>(
        servers: [URL]? = nil, _ operation: (URL) async throws -> T
    ) async throws -> T {
        let servers = servers ?? configuration.servers
        guard !servers.isEmpty else { throw BlossomError.noServers }
        var failures: [BlossomError] = []
        for server in servers {
            do { return try await withRetry(server: server, operation) } catch let e as BlossomError {
                failures.append(e)
            }
        }
        throw failures.count == 1 ? failures[0] : BlossomError.allServersFailed(failures)
    }

    /// One server, up to `retry.maxAttempts` tries while the failure is transient.
    func withRetry<T>(server: URL, _ operation: (URL) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await operation(server) } catch let e as BlossomError {
                guard e.isTransient, attempt < configuration.retry.maxAttempts else { throw e }
                try await Task.sleep(for: configuration.retry.delay(after: attempt))
                attempt += 1
            }
        }
    }
}
