import Cashu

/// A worker's price list, as advertised under `pricing`.
///
/// The price is an integer number of millisats per second: sub-sat prices
/// (a small model at 0.2 sat/s) need no floats, and every computation from it
/// is exact integer arithmetic with one rounding step (see `Pricing`).
public struct Rate: Sendable, Hashable, Codable {
    /// Only `sat` in v1: the unit of the ecash the worker accepts.
    public var unit: CurrencyUnit
    public var msatPerSecond: UInt64
    /// Seconds charged at least, whatever the job's length (unless the worker is at fault).
    public var minSeconds: UInt64
    /// The longest budget the worker sells to one job.
    public var maxSeconds: UInt64

    /// Bounds that keep every product below 2^64 (1e9 msat/s × 1e6 s × 1000 < 1.9e19),
    /// so no honest price can overflow; dishonest ones are refused, not wrapped.
    public static let maxMsatPerSecond: UInt64 = 1_000_000_000
    public static let maxDurationSeconds: UInt64 = 1_000_000

    public init(unit: CurrencyUnit = .sat, msatPerSecond: UInt64, minSeconds: UInt64, maxSeconds: UInt64) {
        self.unit = unit
        self.msatPerSecond = msatPerSecond
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
    }

    enum CodingKeys: String, CodingKey {
        case unit
        case msatPerSecond = "msat_per_second"
        case minSeconds = "min_seconds"
        case maxSeconds = "max_seconds"
    }

    public func validate() throws(ContentError) {
        guard unit == .sat else { throw .invalid(field: "pricing.unit", reason: "only \"sat\" is defined in v1") }
        guard (1...Rate.maxMsatPerSecond).contains(msatPerSecond) else {
            throw .invalid(field: "pricing.msat_per_second", reason: "must be 1...\(Rate.maxMsatPerSecond)")
        }
        guard (1...Rate.maxDurationSeconds).contains(maxSeconds) else {
            throw .invalid(field: "pricing.max_seconds", reason: "must be 1...\(Rate.maxDurationSeconds)")
        }
        guard minSeconds <= maxSeconds else {
            throw .invalid(field: "pricing.min_seconds", reason: "must not exceed max_seconds")
        }
    }
}
