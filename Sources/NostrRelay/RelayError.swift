/// What a relay answered to an accepted publish.
public struct PublishResult: Sendable, Hashable {
    public let relay: String
    public let eventID: String
    /// The relay's message, often empty; `duplicate: …` when it had the event already.
    public let message: String
}

/// Why a relay operation failed.
public enum RelayError: Error, Hashable, CustomStringConvertible {
    /// The relay answered OK false; `reason` is its own message, such as
    /// "invalid: Bad signature" or "blocked: not on the whitelist".
    case rejected(relay: String, reason: String)
    /// No OK within the timeout (relay down, slow, or silent).
    case timedOut(relay: String, after: Duration)
    /// The connection was closed by `close()` before an answer came.
    case connectionClosed(relay: String)
    case cancelled(relay: String)
    case invalidURL(String)

    /// NIP-01's machine-readable prefix of a rejection ("invalid", "blocked",
    /// "rate-limited", …), when the relay gave one.
    public var reasonPrefix: String? {
        guard case .rejected(_, let reason) = self, let colon = reason.firstIndex(of: ":") else { return nil }
        let prefix = reason[..<colon]
        return prefix.isEmpty || prefix.contains(" ") ? nil : String(prefix)
    }

    public var relay: String {
        switch self {
        case .rejected(let r, _), .timedOut(let r, _), .connectionClosed(let r), .cancelled(let r), .invalidURL(let r): r
        }
    }

    public var description: String {
        switch self {
        case .rejected(let r, let reason): "\(r) refused the event: \(reason.isEmpty ? "(no reason given)" : reason)"
        case .timedOut(let r, let d): "\(r) did not answer within \(d)"
        case .connectionClosed(let r): "connection to \(r) was closed"
        case .cancelled(let r): "publish to \(r) was cancelled"
        case .invalidURL(let u): "\(u) is not a ws:// or wss:// relay URL"
        }
    }
}
