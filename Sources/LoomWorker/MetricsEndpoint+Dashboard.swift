import Foundation
import Hummingbird

extension MetricsEndpoint {
    /// The page and its JSON. Loopback is not enough on its own: a web page
    /// the operator visits could point a name it controls at 127.0.0.1 (DNS
    /// rebinding) and read the earnings, so only a loopback `Host` is answered.
    static func addDashboard(
        to router: Router<BasicRequestContext>, snapshot: @escaping @Sendable () async -> DashboardSnapshot
    ) {
        router.get("/") { request, _ -> Response in
            guard isLoopbackHost(host(of: request)) else { return refused }
            return Response(
                status: .ok, headers: headers("text/html; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("api/dashboard") { request, _ -> Response in
            guard isLoopbackHost(host(of: request)) else { return refused }
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = .sortedKeys
            let body = try encoder.encode(await snapshot())
            return Response(
                status: .ok, headers: headers("application/json"), body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// HTTP/1.1's `Host`, which the HTTP types carry as the authority.
    static func host(of request: Request) -> String? {
        request.head.authority
    }

    /// The page runs only its own inline script and talks only to this port.
    static func headers(_ type: String) -> HTTPFields {
        [
            .contentType: type, .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
            .xContentTypeOptions: "nosniff",
        ]
    }

    static var refused: Response {
        Response(
            status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "the dashboard answers only to 127.0.0.1 or localhost\n")))
    }

    /// `127.0.0.1[:port]`, `localhost[:port]` or `[::1][:port]`.
    static func isLoopbackHost(_ authority: String?) -> Bool {
        guard let authority else { return false }
        var host = authority.lowercased()
        if host.hasPrefix("[") {
            host = String(host.prefix { $0 != "]" }) + "]"
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return ["127.0.0.1", "localhost", "[::1]"].contains(host)
    }
}
