/// Why a Blossom request failed. Every case names the server it came from so
/// an operator can tell which of several servers misbehaved.
public enum BlossomError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a non-success status; `reason` is its `X-Reason` header.
    case status(server: String, code: Int, reason: String?)
    /// No HTTP answer at all: refused connection, reset, timeout, TLS.
    case transport(server: String, message: String)
    /// The bytes received do not hash to the address asked for.
    case hashMismatch(server: String, expected: String, actual: String)
    /// The answer was well-formed HTTP but not what the BUDs promise.
    case invalidResponse(server: String, message: String)
    /// A blob is larger than the caller allowed to hold in memory.
    case tooLarge(server: String, limit: Int)
    /// The operation signs an authorization event but the client has no key.
    case noKey
    case noServers
    case invalidArgument(String)
    /// Every server was tried; one entry per server, in order.
    case allServersFailed([BlossomError])

    /// Worth asking the same server again: it may recover (connect errors, 5xx).
    /// A 4xx means the request itself was refused; repeating it cannot help.
    public var isTransient: Bool {
        switch self {
        case .transport: true
        case .status(_, let code, _): code >= 500
        default: false
        }
    }

    /// The HTTP status, when a server answered with one.
    public var statusCode: Int? {
        if case .status(_, let code, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .status(let s, let code, let reason): "\(s): HTTP \(code)\(reason.map { " (\($0))" } ?? "")"
        case .transport(let s, let m): "\(s): \(m)"
        case .hashMismatch(let s, let want, let got): "\(s): blob hashes to \(got), expected \(want)"
        case .invalidResponse(let s, let m): "\(s): invalid response: \(m)"
        case .tooLarge(let s, let limit): "\(s): blob is larger than the \(limit)-byte limit"
        case .noKey: "this operation needs a secret key to sign a Blossom authorization"
        case .noServers: "no Blossom servers configured"
        case .invalidArgument(let m): m
        case .allServersFailed(let errors): "all Blossom servers failed: " + errors.map(\.description).joined(separator: "; ")
        }
    }
}
