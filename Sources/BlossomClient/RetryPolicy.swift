/// Exponential backoff for transient failures on one server before moving on
/// to the next. Delays double from `initialDelay` up to `maxDelay`.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries per server, the first included (1 = no retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before attempt `attempt + 1`, given that `attempt` (1-based) failed.
    public func delay(after attempt: Int) -> Duration {
        var d = initialDelay
        for _ in 1..<max(1, attempt) where d < maxDelay { d = d * 2 }
        return min(d, maxDelay)
    }
}
