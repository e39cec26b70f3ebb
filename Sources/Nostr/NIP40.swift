/// NIP-40 expiration timestamps.
///
/// A malformed `expiration` tag is read as "already expired", not as "never
/// expires": the author clearly meant the event to lapse, and whoever wrote a
/// broken tag (a buggy client, or someone hoping a worker keeps honouring a
/// stale offer or request forever) should not get an immortal event. Callers
/// that need to tell the two apart use `expiration`, which throws.
public enum NIP40 {
    public static let tagName = "expiration"

    /// `["expiration", "<unix seconds>"]`.
    public static func tag(expiresAt: Int64) -> [String] { [tagName, String(expiresAt)] }

    /// Strict reading of a tag value: plain decimal digits (no sign, space or
    /// fraction) that fit an Int64, as `created_at` is written.
    static func parse(_ value: String) -> Int64? {
        guard !value.isEmpty, value.utf8.count <= 19, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(value)
    }
}

/// Why an `expiration` tag could not be read.
public enum NIP40Error: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String?)

    public var description: String {
        switch self {
        case .malformed(nil): "expiration tag has no value"
        case .malformed(let v?): "expiration tag value \"\(v.prefix(40))\" is not a Unix time in whole seconds"
        }
    }
}

extension Event {
    /// When the event expires: nil when it has no `expiration` tag. Several
    /// tags: the earliest counts (the stricter reading). Throws if any is malformed.
    public var expiration: Int64? {
        get throws(NIP40Error) {
            var earliest: Int64?
            for tag in tags where tag.first == NIP40.tagName {
                guard tag.count >= 2 else { throw .malformed(nil) }
                guard let t = NIP40.parse(tag[1]) else { throw .malformed(tag[1]) }
                earliest = min(earliest ?? t, t)
            }
            return earliest
        }
    }

    /// True from the expiration second on, and for a malformed tag (see `NIP40`).
    public func isExpired(now: Int64 = Event.now()) -> Bool {
        do {
            guard let at = try expiration else { return false }
            return now >= at
        } catch {
            return true
        }
    }
}
