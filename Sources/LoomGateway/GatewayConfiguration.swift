import Foundation

/// How `loom gateway` runs (the command's options, as values).
public struct GatewayConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// The most one call may take from the wallet (payment and mint fee); unused time comes back as change.
    public var maxSatPerCall: UInt64
    /// The most seconds of worker time one call buys.
    public var maxSecondsPerCall: UInt64
    /// Workers (hex keys) every call is limited to, tried in this order; nil: any live worker.
    public var pinnedWorkers: [String]?
    public var maxConcurrent: Int
    /// Bearer token required on every request; required to bind beyond loopback.
    public var apiKey: String?
    /// Workers tried per call before answering 503.
    public var maxAttempts: Int
    /// A worker that has published no status by then is taken as gone: its payment is reclaimed, the next one tried.
    public var statusTimeoutSeconds: Int
    /// The longest a call waits for its result.
    public var callTimeoutSeconds: Int
    /// Web pages (origins as browsers send them, `GatewayConfiguration.origin(_:)`) that may call the
    /// gateway and read its answers; a request from any other page is refused (`RequestGuard`).
    public var allowedOrigins: [String]
    /// A connection with no request in progress (none yet, or between
    /// keep-alive requests, or a request whose bytes stopped coming) for this
    /// long is closed: an idle or stalled peer cannot hold sockets open.
    public var idleTimeoutSeconds: Int = 60
    /// The longest a request's body may take to arrive once its headers have.
    public var bodyTimeoutSeconds: Int = 30

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxSatPerCall: UInt64 = 100, maxSecondsPerCall: UInt64 = 60,
        pinnedWorkers: [String]? = nil, maxConcurrent: Int = 8, apiKey: String? = nil, maxAttempts: Int = 3,
        statusTimeoutSeconds: Int = 15, callTimeoutSeconds: Int = 600, allowedOrigins: [String] = []
    ) {
        self.host = host
        self.port = port
        self.maxSatPerCall = maxSatPerCall
        self.maxSecondsPerCall = maxSecondsPerCall
        self.pinnedWorkers = pinnedWorkers
        self.maxConcurrent = maxConcurrent
        self.apiKey = apiKey
        self.maxAttempts = maxAttempts
        self.statusTimeoutSeconds = statusTimeoutSeconds
        self.callTimeoutSeconds = callTimeoutSeconds
        self.allowedOrigins = allowedOrigins
    }

    /// Loopback addresses: anything else needs an API key.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `--allow-origin`'s value as a browser's `Origin` header spells it (RFC 6454:
    /// `scheme://host[:port]`, lowercase, no default port, no path), or nil when it
    /// is not one. `null` and `*` are not origins one can allow: any page can send them.
    public static func origin(_ text: String) -> String? {
        var origin = text.trimmingCharacters(in: .whitespaces).lowercased()
        if origin.hasSuffix("/") { origin.removeLast() }
        guard let separator = origin.range(of: "://"), let first = origin.first, first.isLetter else { return nil }
        let scheme = origin[..<separator.lowerBound], authority = origin[separator.upperBound...]
        guard scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
            !authority.isEmpty, !authority.contains(where: { "/?#@ ".contains($0) })
        else { return nil }
        for (name, port) in [("http", ":80"), ("https", ":443")] where scheme == name && origin.hasSuffix(port) {
            origin.removeLast(port.count)
        }
        return origin
    }
}
