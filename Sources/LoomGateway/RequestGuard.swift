import AddressSafety
import Foundation
import Hummingbird
import Logging

/// What keeps the web pages the user visits away from the wallet. A page can
/// make the browser POST a "simple" request (text/plain, a form) to loopback
/// without any CORS preflight, and a name it controls can resolve to 127.0.0.1
/// (DNS rebinding); either would spend the wallet. So a request is refused
/// when its `Host` is not loopback (unless `--api-key` is the protection), when
/// it carries an `Origin` the user did not allow (`--allow-origin`), and when
/// it POSTs anything but JSON. Allowed origins get CORS answers, preflights
/// included. Runs before `BearerCheck`: a preflight carries no credentials.
struct RequestGuard: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// With an API key the gateway may be bound beyond loopback and called by any name.
    let anyHost: Bool
    /// As `GatewayConfiguration.origin(_:)` spells them.
    let allowedOrigins: Set<String>
    let logger: Logger

    init(configuration: GatewayConfiguration, logger: Logger) {
        anyHost = configuration.apiKey != nil
        allowedOrigins = Set(configuration.allowedOrigins.compactMap(GatewayConfiguration.origin))
        self.logger = logger
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let origin = request.headers[.origin]
        if let refusal = Self.refusal(
            method: request.method, host: request.head.authority, origin: origin,
            contentType: request.headers[.contentType], anyHost: anyHost, allowedOrigins: allowedOrigins)
        {
            logger.warning(
                "refused",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.uri.path.prefix(100))",
                    "host": "\((request.head.authority ?? "").prefix(100))", "origin": "\((origin ?? "").prefix(100))",
                    "status": "\(refusal.status)",
                ])
            var response = GatewayServer.error(refusal)
            // Past the Host and Origin checks, so the page is one the user allowed: let it read why.
            if case .unsupportedMediaType = refusal, let origin { response.headers.append(contentsOf: Self.cors(origin)) }
            return response
        }
        guard let origin else { return try await next(request, context) }
        if request.method == .options { return Self.preflight(origin) }
        var response = try await next(request, context)
        response.headers.append(contentsOf: Self.cors(origin))
        return response
    }

    /// Why the request is refused, in this order: Host, Origin, Content-Type; nil when it may pass.
    static func refusal(
        method: HTTPRequest.Method, host: String?, origin: String?, contentType: String?, anyHost: Bool,
        allowedOrigins: Set<String>
    ) -> GatewayError? {
        if !anyHost, !LoopbackHost.matches(host) {
            return .forbidden(
                "the gateway answers only to Host 127.0.0.1, localhost or [::1], not \"\((host ?? "").prefix(100))\" (another name that leads here may be a web page's DNS rebinding): call http://127.0.0.1:<port>/v1, or set --api-key to serve other names"
            )
        }
        if let origin, !isAllowed(origin: origin, allowedOrigins) {
            return .forbidden(
                "a web page (Origin \(origin.prefix(100))) may not call this gateway, which spends its wallet: if that page is yours, start `loom gateway --allow-origin \(origin.prefix(100))`"
            )
        }
        if method == .post, !isJSON(contentType) {
            return .unsupportedMediaType(
                "the body must be JSON, sent with `Content-Type: application/json` (got \"\((contentType ?? "none").prefix(100))\")"
            )
        }
        return nil
    }

    /// Browsers send origins lowercase, without a default port; `null` is never in the set.
    static func isAllowed(origin: String, _ allowed: Set<String>) -> Bool {
        allowed.contains(origin.lowercased())
    }

    /// `application/json`, whatever the case and parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let mediaType = contentType?.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
        else { return false }
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// The headers every answer to an allowed page carries: it may read the body and the cost headers.
    static func cors(_ origin: String) -> HTTPFields {
        let exposed = [
            GatewayServer.jobHeader, GatewayServer.workerHeader, GatewayServer.costHeader, GatewayServer.chargedHeader,
            GatewayServer.attemptsHeader,
        ]
        return [
            .accessControlAllowOrigin: origin, .vary: "Origin",
            .accessControlExposeHeaders: exposed.map(\.rawName).joined(separator: ", "),
        ]
    }

    /// The browser asks before a JSON POST or one with `Authorization`; the answer is cached for 10 minutes.
    static func preflight(_ origin: String) -> Response {
        var headers = cors(origin)
        headers[.accessControlAllowMethods] = "GET, POST"
        headers[.accessControlAllowHeaders] = "Authorization, Content-Type, \(GatewayServer.workerHeader.rawName)"
        headers[.accessControlMaxAge] = "600"
        return Response(status: .noContent, headers: headers)
    }
}
