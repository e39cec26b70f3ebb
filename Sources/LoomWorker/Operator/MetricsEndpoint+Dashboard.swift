import Foundation
import Hummingbird

extension MetricsEndpoint {
    /// The page and its JSON, behind `LoopbackHostOnly` as every route of the port.
    static func addDashboard(
        to router: Router<BasicRequestContext>, snapshot: @escaping @Sendable () async -> DashboardSnapshot
    ) {
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok, headers: headers("text/html; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("api/dashboard") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = .sortedKeys
            let body = try encoder.encode(await snapshot())
            return Response(
                status: .ok, headers: headers("application/json"), body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
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
}
