import Blossom
import Foundation
import Hummingbird
import Logging
import NIOCore
import Nostr

/// The embedded Blossom server (BUD-01, 02, 06, 11, 12) as a Hummingbird 2 app.
///
/// `loom blossom serve` builds a configuration and calls `run`; tests call
/// `makeApplication(onRunning:)` with port 0 and learn the bound port.
public struct BlossomServer: Sendable {
    public let configuration: BlossomServerConfiguration
    let store: BlobStore
    let index: BlobIndex
    let fileIO = FileIO()

    /// Creates the data directory, clears abandoned temp files and opens the index.
    public init(configuration: BlossomServerConfiguration) throws {
        self.configuration = configuration
        store = try BlobStore(root: configuration.dataDirectory)
        index = try BlobIndex(path: configuration.dataDirectory + "/index.sqlite")
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully.
    public static func run(_ configuration: BlossomServerConfiguration, logger: Logger? = nil) async throws {
        try await BlossomServer(configuration: configuration).makeApplication(logger: logger).runService()
    }

    /// The application, for callers that run it in their own service group or
    /// task. `onRunning` receives the port actually bound (useful with port 0).
    public func makeApplication(
        logger: Logger? = nil, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let port = configuration.port
        var log = logger ?? Logger(label: "loom.blossom")
        if logger == nil { log.logLevel = .notice }
        return Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "loom-blossom"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: log)
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: BlossomCORSMiddleware())
        router.put("upload") { request, context in try await self.upload(request, context: context) }
        router.head("upload") { request, context in try await self.uploadPreflight(request, context: context) }
        router.get("list/:pubkey") { request, context in try await self.list(request, context: context) }
        router.get(":blob") { request, context in try await self.blob(request, context: context, bodyWanted: true) }
        router.head(":blob") { request, context in try await self.blob(request, context: context, bodyWanted: false) }
        router.delete(":blob") { request, context in try await self.delete(request, context: context) }
        return router
    }

    // MARK: shared by the endpoint files

    /// Domain names a token's `server` tag may name. The request's Host header
    /// is deliberately not trusted: a replayed token would simply claim it.
    var serverDomains: Set<String> {
        var domains = configuration.serverDomains
        if let host = configuration.publicBaseURL?.host { domains.insert(host) }
        domains.insert(configuration.host)
        if ["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            domains.formUnion(["127.0.0.1", "localhost", "::1"])
        }
        return domains
    }

    /// Parses and checks the `Authorization` header against `requirement`.
    func authorize(_ request: Request, _ requirement: BlossomAuth.Requirement) throws -> Event {
        guard let header = request.headers[.authorization] else { throw Refusal.auth(.missing) }
        do {
            let event = try BlossomAuth.parseHeader(header)
            try BlossomAuth.check(event, requirement, now: Event.now(), clockSkew: configuration.clockSkew)
            return event
        } catch {
            throw Refusal.auth(error)
        }
    }

    func requireUploader(_ pubkey: String) throws {
        if let allowed = configuration.allowedPubkeys, !allowed.contains(pubkey) {
            throw Refusal.auth(.pubkeyNotAllowed(pubkey))
        }
    }

    /// `<base>/<sha256>.<ext>`: BUD-02 wants an extension in every descriptor URL.
    func descriptor(_ record: BlobRecord, request: Request) -> BlobDescriptor {
        var base =
            configuration.publicBaseURL?.absoluteString
            ?? "http://\(request.head.authority ?? "\(configuration.host):\(configuration.port)")"
        while base.hasSuffix("/") { base.removeLast() }
        let url = "\(base)/\(record.sha256).\(MediaType.fileExtension(for: record.type))"
        return BlobDescriptor(url: url, sha256: record.sha256, size: record.size, type: record.type, uploaded: record.uploaded)
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The `<sha256>[.ext]` path parameter, or 400.
    func blobParameter(_ context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get("blob"), let parsed = BlobHash.parsePathComponent(raw) else {
            throw Refusal(.badRequest, "path must be /<sha256>[.ext] with a lower-case hex sha256")
        }
        return parsed.sha256
    }
}
