import AddressSafety
import Hummingbird

extension MetricsEndpoint {
    /// Every route of the metrics port, `/metrics` and `/healthz` as much as the
    /// dashboard: binding 127.0.0.1 is not enough on its own, since a web page
    /// the operator visits could point a name it controls at 127.0.0.1 (DNS
    /// rebinding) and read the earnings. So only a loopback `Host` is answered.
    struct LoopbackHostOnly: RouterMiddleware {
        typealias Context = BasicRequestContext

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws
            -> Response
        {
            guard LoopbackHost.matches(host(of: request)) else { return refused }
            return try await next(request, context)
        }
    }

    /// HTTP/1.1's `Host`, which the HTTP types carry as the authority.
    static func host(of request: Request) -> String? {
        request.head.authority
    }

    static var refused: Response {
        Response(
            status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(
                byteBuffer: ByteBuffer(
                    string:
                        "the metrics port answers only to Host 127.0.0.1, localhost or [::1]; a proxy in front must send one\n"
                )))
    }
}
