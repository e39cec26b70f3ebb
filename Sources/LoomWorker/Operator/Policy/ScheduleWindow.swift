import Foundation

/// One daily window of local time, `22:00-07:00`; a window whose end is
/// before its start runs over midnight. The start is inside, the end is not.
public struct ScheduleWindow: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after local midnight, 0..<1440.
    public let start: Int
    public let end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// `HH:MM-HH:MM`, 24-hour clock; nil when malformed or empty (start == end).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]), start != end else {
            return nil
        }
        self.init(start: start, end: end)
    }

    public func contains(minuteOfDay m: Int) -> Bool {
        start < end ? (start <= m && m < end) : (m >= start || m < end)
    }

    /// `24:00` is allowed as an end of day and read as midnight.
    static func minutes(_ text: Substring) -> Int? {
        let hm = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2,
            hm.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let h = Int(hm[0]), let m = Int(hm[1]), m < 60, h < 24 || (h == 24 && m == 0)
        else { return nil }
        return (h * 60 + m) % 1440
    }

    public var description: String { "\(Self.clock(start))-\(Self.clock(end))" }

    /// `HH:MM` of a minute of the day.
    static func clock(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
