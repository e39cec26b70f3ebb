import Foundation
import Hummingbird
import Logging
import LoomJSON
import NIOCore
import Nostr
import Secp256k1

/// The OpenAI-compatible HTTP front of the engine (Hummingbird 2):
/// `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`.
/// `loom gateway` runs it; tests call `makeApplication(onRunning:)` with port 0.
public struct GatewayServer: Sendable {
    public let engine: GatewayEngine
    let logger: Logger

    /// A request header naming the workers for one call (npub or hex, comma-separated, tried in order).
    static let workerHeader = HTTPFieldName("X-Loom-Worker")!
    static let jobHeader = HTTPFieldName("X-Loom-Job")!
    static let costHeader = HTTPFieldName("X-Loom-Cost-Sat")!
    static let chargedHeader = HTTPFieldName("X-Loom-Charged-Sat")!
    static let attemptsHeader = HTTPFieldName("X-Loom-Attempts")!
    /// Bodies beyond this are refused before parsing; a relay would refuse the request event anyway.
    static let maxBodyBytes = 4 << 20

    public init(engine: GatewayEngine, logger: Logger = Logger(label: "loom.gateway")) {
        self.engine = engine
        self.logger = logger
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onRunning: onRunning).runService()
    }

    public func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let configuration = engine.configuration
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(configuration.idleTimeoutSeconds, 1))))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "loom-gateway"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let engine = self.engine
        // First: web pages and rebound names are refused, and preflights answered, before anything else.
        router.add(middleware: RequestGuard(configuration: engine.configuration, logger: logger))
        router.add(middleware: BearerCheck(apiKey: engine.configuration.apiKey))
        router.get("v1/models") { _, _ -> Response in
            do { return Self.json(ModelListing.page(try await engine.models())) } catch { return Self.error(error) }
        }
        router.post("v1/chat/completions") { request, _ -> Response in await self.complete(request, endpoint: .chat) }
        router.post("v1/completions") { request, _ -> Response in await self.complete(request, endpoint: .completion) }
        return router
    }

    func complete(_ request: Request, endpoint: OpenAIRequest.Endpoint) async -> Response {
        var request = request
        let call: OpenAIRequest
        let pinned: [String]?
        do {
            let body = try await Self.collect(
                request.body, within: .seconds(Int64(max(engine.configuration.bodyTimeoutSeconds, 1))))
            call = try OpenAIRequest.parse(Array(buffer: body), endpoint: endpoint)
            pinned = try Self.pinnedWorkers(request.headers[Self.workerHeader])
        } catch let error as GatewayError {
            return Self.error(error)
        } catch {
            return Self.error(
                GatewayError.badRequest("the body could not be read (at most \(Self.maxBodyBytes) bytes): \(error)"))
        }
        logger.debug("call", metadata: ["model": "\(call.model)", "stream": "\(call.stream)"])
        return call.stream ? await streamed(call, pinned: pinned) : await whole(call, pinned: pinned)
    }

    /// The whole body, or a 400 once `limit` passes: each byte of a body that
    /// trickles in counts as activity to the idle timeout, so this is what
    /// stops a peer from holding a call's task and socket open by dripping it.
    static func collect(_ body: RequestBody, within limit: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: maxBodyBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw GatewayError.badRequest("the request body did not arrive in full within \(limit.components.seconds) s")
            }
            return buffer
        }
    }

    func whole(_ call: OpenAIRequest, pinned: [String]?) async -> Response {
        do {
            let result = try await engine.perform(call, pinned: pinned)
            let answer = OpenAIAnswer(endpoint: call.endpoint, jobID: result.jobID, created: Event.now(), model: call.model)
            return Self.json(
                answer.complete(text: result.text, finishReason: result.finishReason, usage: result.usage),
                headers: Self.headers(jobID: result.jobID, worker: result.worker, result: result))
        } catch {
            return Self.error(error)
        }
    }

    /// `X-Loom-Worker`: npubs or hex keys, comma-separated; nil when absent or `auto`.
    static func pinnedWorkers(_ header: String?) throws(GatewayError) -> [String]? {
        guard let header, header.trimmingCharacters(in: .whitespaces) != "auto" else { return nil }
        var keys: [String] = []
        for item in header.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            do { keys.append(try NIP19.publicKey(from: item).hex) } catch {
                throw .badRequest("\(workerHeader.rawName) \"\(item.prefix(80))\" is not an npub or a 64-hex key")
            }
        }
        return keys.isEmpty ? nil : keys
    }

    static func headers(jobID: String, worker: String, result: CallResult?) -> HTTPFields {
        var headers = HTTPFields()
        headers[jobHeader] = jobID
        headers[workerHeader] = (try? XOnlyPublicKey(hex: worker).npub) ?? worker
        if let result {
            headers[costHeader] = String(result.costSat)
            headers[chargedHeader] = String(result.chargedSat)
            headers[attemptsHeader] = String(result.attempts)
        }
        return headers
    }

    static func json(_ value: some Encodable, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: SSE.json(value))))
    }

    static func error(_ error: any Error) -> Response {
        let gatewayError = (error as? GatewayError) ?? (error as? CallFailure)?.error ?? .workerFailed("\(error)")
        return json(gatewayError.body, status: gatewayError.status)
    }
}

/// HTTPTypes' field name, under the name Hummingbird's users can reach.
typealias HTTPFieldName = HTTPFields.Element.Name

/// `--api-key`: every request carries `Authorization: Bearer <key>`, else
/// 401. Also turns the router's bare 404 into OpenAI's error body.
struct BearerCheck: RouterMiddleware {
    typealias Context = BasicRequestContext
    let apiKey: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let apiKey else { return try await Self.routed(request, context: context, next: next) }
        let given = request.headers[.authorization] ?? ""
        // Compared in full whatever the input, so timing does not reveal a prefix.
        let expected = Array("Bearer \(apiKey)".utf8), got = Array(given.utf8)
        var difference = expected.count ^ got.count
        for i in 0..<expected.count { difference |= Int(expected[i] ^ (i < got.count ? got[i] : 0)) }
        guard difference == 0 else { return GatewayServer.error(GatewayError.unauthorized) }
        return try await Self.routed(request, context: context, next: next)
    }

    /// A path the gateway does not serve is an OpenAI-style 404, so SDKs report it as such.
    static func routed(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do { return try await next(request, context) } catch let error as HTTPError where error.status == .notFound {
            return GatewayServer.error(
                GatewayError.routeNotFound(
                    "no route \(request.method) \(request.uri.path); the gateway serves GET /v1/models, POST /v1/chat/completions and POST /v1/completions"
                ))
        }
    }
}
