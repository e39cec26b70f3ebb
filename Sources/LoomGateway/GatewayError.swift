/// Why a call got no answer, as the caller hears it: an HTTP status and
/// OpenAI's error body `{"error": {"message", "type", "code"}}`, so SDKs
/// raise their usual exceptions (`BadRequestError`, `NotFoundError` …).
public enum GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400: the body is not a request the gateway can send, or a worker refused it as malformed.
    case badRequest(String)
    /// 401: no bearer token, or not the one `--api-key` set.
    case unauthorized
    /// 402: the wallet cannot pay for this call; nothing was spent.
    case insufficientFunds(String)
    /// 402: the cheapest budget a worker sells costs more than `--max-sat-per-call`.
    case overCallCap(String)
    /// 403: a web page, or a name that is not loopback, is asking (`RequestGuard`): spending is refused.
    case forbidden(String)
    /// 404: no live worker serves the model (or the pinned worker is not live).
    case modelNotFound(String)
    /// 404: no such path.
    case routeNotFound(String)
    /// 415: a body that is not `Content-Type: application/json` (what a web page can send without asking).
    case unsupportedMediaType(String)
    /// 503: every worker tried was busy, shutting down or silent; their payments were reclaimed.
    case workersBusy(String)
    /// 502: the worker took the job and failed it (billed for time served only), or the network failed us.
    case workerFailed(String)

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .insufficientFunds, .overCallCap: 402
        case .forbidden: 403
        case .modelNotFound, .routeNotFound: 404
        case .unsupportedMediaType: 415
        case .workersBusy: 503
        case .workerFailed: 502
        }
    }

    /// OpenAI's `type`: what kind of trouble, for SDKs that switch on it.
    public var type: String {
        switch self {
        case .badRequest, .modelNotFound, .routeNotFound, .unsupportedMediaType: "invalid_request_error"
        case .forbidden: "permission_error"
        case .unauthorized: "authentication_error"
        case .insufficientFunds, .overCallCap: "insufficient_quota"
        case .workersBusy, .workerFailed: "server_error"
        }
    }

    /// OpenAI's `code`: the one thing to switch on.
    public var code: String {
        switch self {
        case .badRequest: "invalid_request"
        case .unauthorized: "invalid_api_key"
        case .insufficientFunds: "insufficient_funds"
        case .overCallCap: "over_call_cap"
        case .forbidden: "forbidden"
        case .unsupportedMediaType: "unsupported_media_type"
        case .modelNotFound: "model_not_found"
        case .routeNotFound: "not_found"
        case .workersBusy: "workers_busy"
        case .workerFailed: "worker_failed"
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let m), .insufficientFunds(let m), .overCallCap(let m), .modelNotFound(let m),
            .routeNotFound(let m), .workersBusy(let m), .workerFailed(let m), .forbidden(let m),
            .unsupportedMediaType(let m):
            m
        case .unauthorized: "missing or wrong API key: send `Authorization: Bearer <the gateway's --api-key>`"
        }
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// The error body, as OpenAI writes it.
    public var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, code: code)) }

    public struct ErrorBody: Sendable, Hashable, Codable {
        public struct Detail: Sendable, Hashable, Codable {
            public var message: String
            public var type: String
            public var code: String
            /// OpenAI always sends the key; it names the offending field, which the message already does.
            public var param: String? = nil

            enum CodingKeys: String, CodingKey { case message, type, code, param }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(message, forKey: .message)
                try c.encode(type, forKey: .type)
                try c.encode(code, forKey: .code)
                try c.encode(param, forKey: .param)
            }
        }
        public var error: Detail
    }
}
