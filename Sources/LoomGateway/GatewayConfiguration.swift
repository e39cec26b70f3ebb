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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxSatPerCall: UInt64 = 100, maxSecondsPerCall: UInt64 = 60,
        pinnedWorkers: [String]? = nil, maxConcurrent: Int = 8, apiKey: String? = nil, maxAttempts: Int = 3,
        statusTimeoutSeconds: Int = 15, callTimeoutSeconds: Int = 600
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
    }

    /// Loopback addresses: anything else needs an API key.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
