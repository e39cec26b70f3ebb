import Foundation

/// Settings shared by every connection of a pool.
public struct RelayConfiguration: Sendable {
    /// Largest relay message we parse, in bytes on the wire. Larger EVENTs are
    /// dropped unread (cheap rejection before any JSON or signature work).
    public var maxEventBytes: Int
    /// How long `publish` waits for the relay's OK, reconnection included.
    public var publishTimeout: Duration
    /// How far before the newest event seen a resubscription starts again, to
    /// cover clock skew and events stored out of order while we were away.
    public var resubscribeMargin: Int64
    /// Reconnection delays.
    public var backoff: Backoff
    /// Pings keep a half-open TCP connection from looking alive for ever.
    public var pingInterval: Duration?
    /// Items a slow subscriber may fall behind by before new ones are dropped.
    public var subscriptionBuffer: Int
    /// Event ids remembered per subscription to drop repeats (bounded memory).
    public var dedupeCapacity: Int
    /// How long a new socket may take to finish the WebSocket upgrade. A relay
    /// that accepts TCP and never answers would otherwise hold the connection
    /// in `connecting` for ever, and `close()` with it.
    public var handshakeTimeout: Duration = .seconds(10)

    public init(
        maxEventBytes: Int = 256 * 1024,
        publishTimeout: Duration = .seconds(10),
        resubscribeMargin: Int64 = 60,
        backoff: Backoff = Backoff(),
        pingInterval: Duration? = .seconds(30),
        subscriptionBuffer: Int = 10_000,
        dedupeCapacity: Int = 10_000
    ) {
        self.maxEventBytes = maxEventBytes
        self.publishTimeout = publishTimeout
        self.resubscribeMargin = resubscribeMargin
        self.backoff = backoff
        self.pingInterval = pingInterval
        self.subscriptionBuffer = subscriptionBuffer
        self.dedupeCapacity = dedupeCapacity
    }
}

/// Capped exponential backoff with jitter, so a fleet of workers that lost the
/// same relay does not come back at the same instant.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// Fraction of each delay that is random: 0 = none, 1 = anywhere in 0...delay.
    public var jitter: Double

    public init(
        initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30),
        multiplier: Double = 2, jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Delay before reconnection attempt `attempt` (0 = the first retry).
    public func delay(attempt: Int) -> Duration {
        delay(attempt: attempt, random: Double.random(in: 0...1))
    }

    /// Same, with the random draw given (tests).
    public func delay(attempt: Int, random: Double) -> Duration {
        let initialSeconds = initial.seconds
        let capped = min(initialSeconds * pow(multiplier, Double(min(attempt, 64))), maximum.seconds)
        let seconds = capped * (1 - jitter) + capped * jitter * random
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
