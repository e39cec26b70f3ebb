import Blossom
import Hummingbird

/// A refused request: the status plus a human reason sent as `X-Reason`
/// (BUD-01) and, except for HEAD, as a plain-text body.
struct Refusal: HTTPResponseError {
    let status: HTTPResponse.Status
    let reason: String
    var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ reason: String, headers: HTTPFields = [:]) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Every token problem is a 401; policy refusals are built with 403 directly.
    static func auth(_ error: AuthError) -> Refusal {
        if case .pubkeyNotAllowed = error { return Refusal(.forbidden, error.description) }
        return Refusal(.unauthorized, error.description)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        // Header values must not carry line breaks; reasons may quote client input.
        let clean = String(reason.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : Character($0) })
        var headers = self.headers
        headers[.xReason] = clean
        if request.method == .head { return Response(status: status, headers: headers) }
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: clean + "\n")))
    }
}

/// Hummingbird re-exports `HTTPFields` but not `HTTPField`; reaching the
/// name type through it avoids a direct swift-http-types dependency.
typealias HTTPFieldName = HTTPFields.Element.Name

extension HTTPFieldName {
    static let xReason = HTTPFieldName("X-Reason")!
    static let xSHA256 = HTTPFieldName("X-SHA-256")!
    static let xContentLength = HTTPFieldName("X-Content-Length")!
    static let xContentType = HTTPFieldName("X-Content-Type")!
}
