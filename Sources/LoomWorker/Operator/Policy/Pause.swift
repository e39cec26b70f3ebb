import Foundation

/// The operator's manual switch (`loom worker pause [--for 2h]`): no end,
/// or an end time. Kept in `<data>/pause.json` (`PauseFile`), so it holds
/// across restarts until it ends.
public struct Pause: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Unix seconds when the pause was asked for.
    public var since: Int64
    /// Unix seconds when it ends; nil = until `loom worker resume`.
    public var until: Int64?

    public init(since: Int64, until: Int64?) {
        self.since = since
        self.until = until
    }

    public func isActive(at now: Date) -> Bool {
        guard let until else { return true }
        return Int64(now.timeIntervalSince1970) < until
    }

    public var description: String {
        guard let until else { return "paused by the operator until `loom worker resume`" }
        return "paused by the operator until \(Date(timeIntervalSince1970: TimeInterval(until)).formatted(.iso8601))"
    }
}
