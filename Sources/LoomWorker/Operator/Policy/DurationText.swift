import Foundation

/// Human durations for settings and flags: `90` (seconds), `90s`, `10m`,
/// `2h`, `1d`. Whole numbers only, so a value reads the same everywhere.
public enum DurationText {
    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// Seconds, or nil for anything else (negative, fractional, unknown unit, empty).
    public static func seconds(_ text: String) -> Int64? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        var scale: Int64 = 1
        if let last = body.last, let unit = units[last] {
            scale = unit
            body = body.dropLast()
        }
        guard !body.isEmpty, body.count <= 9, body.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(body) else {
            return nil
        }
        return n * scale
    }
}
