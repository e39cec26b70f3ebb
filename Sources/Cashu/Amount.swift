/// An amount of ecash in the smallest unit of a keyset (sat, msat, cent, ...).
///
/// A separate type rather than a bare `UInt64` so that every sum in the money
/// path is overflow-checked: a token crafted to wrap around must be refused,
/// never silently reduced.
public struct Amount: Sendable, Hashable, Comparable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }
    public init(integerLiteral value: UInt64) { self.value = value }

    public static let zero = Amount(0)

    public func adding(_ other: Amount) throws(AmountError) -> Amount {
        let (sum, overflow) = value.addingReportingOverflow(other.value)
        guard !overflow else { throw .overflow }
        return Amount(sum)
    }

    public func subtracting(_ other: Amount) throws(AmountError) -> Amount {
        guard other.value <= value else { throw .underflow }
        return Amount(value - other.value)
    }

    /// The checked sum of `amounts`.
    public static func sum(_ amounts: some Sequence<Amount>) throws(AmountError) -> Amount {
        var total = Amount.zero
        for a in amounts { total = try total.adding(a) }
        return total
    }

    /// The powers of two that add up to this amount, smallest first: the
    /// denominations a mint signs (for example 13 → [1, 4, 8]).
    public func split() -> [Amount] {
        var out: [Amount] = []
        var rest = value
        while rest != 0 {
            let bit = rest & (~rest &+ 1)  // lowest set bit
            out.append(Amount(bit))
            rest &= rest - 1
        }
        return out
    }

    public var isPowerOfTwo: Bool { value != 0 && value & (value - 1) == 0 }

    public static func < (a: Amount, b: Amount) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }

    public var description: String { String(value) }
}

public enum AmountError: Error, Equatable, Sendable, CustomStringConvertible {
    case overflow
    case underflow

    public var description: String {
        switch self {
        case .overflow: "amount overflows a 64-bit unsigned integer"
        case .underflow: "amount would go below zero"
        }
    }
}
