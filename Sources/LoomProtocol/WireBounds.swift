/// The largest values a reader accepts in a Loom content (PROTOCOL.md,
/// "Bounds"). A worker or client that is honest never comes near them; a
/// hostile one that sends `2^63` is refused when the content is decoded, so
/// no reader ever converts such a number to `Int` or adds one to it.
public enum WireBounds {
    /// Counters (tokens, milliseconds, msat, `seq`): 2^53, the largest
    /// integer a JSON reader that uses doubles still holds exactly. A million
    /// seconds (`Rate.maxDurationSeconds`) at a million tokens a second fits.
    public static let maxCounter: UInt64 = 1 << 53
    /// Amounts in sat: all the bitcoin there will ever be.
    public static let maxSat: UInt64 = 2_100_000_000_000_000
    /// Job slots and queue places (`capacity`, `queue_position`).
    public static let maxSlots = 1_000_000
    /// Byte sizes a worker may advertise or describe (`max_request_bytes`,
    /// `max_input_bytes`): 1 GiB, far above anything a relay or a worker takes.
    public static let maxBytes: UInt64 = 1 << 30

    static func counter(_ value: UInt64, _ field: String) throws(ContentError) {
        guard value <= maxCounter else { throw .invalid(field: field, reason: "is above \(maxCounter)") }
    }

    static func counter(_ value: UInt64?, _ field: String) throws(ContentError) {
        if let value { try counter(value, field) }
    }

    static func slots(_ value: Int?, _ field: String) throws(ContentError) {
        guard let value else { return }
        guard (0...maxSlots).contains(value) else { throw .invalid(field: field, reason: "must be 0...\(maxSlots)") }
    }
}
