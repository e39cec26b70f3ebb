import Crypto
import Secp256k1

/// A keyset id (NUT-02). Version `00`: 8 bytes. Version `01`: 33 bytes, or
/// its 8-byte short form as V4 tokens may carry it.
public struct KeysetID: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Version: UInt8, Sendable {
        /// `00…`, 8 bytes, derived from the keys alone (deprecated).
        case v1 = 0x00
        /// `01…`, 33 bytes, derived from the keys, unit, fee and expiry.
        case v2 = 0x01
    }

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(KeysetError) {
        guard let first = bytes.first, let version = Version(rawValue: first) else {
            throw .unsupportedIDVersion(bytes.first.map { Hex.encode([$0]) } ?? "")
        }
        switch (version, bytes.count) {
        case (.v1, 8), (.v2, 8), (.v2, 33): self.bytes = bytes
        default: throw .invalidID(Hex.encode(bytes))
        }
    }

    public init(hex: String) throws(KeysetError) {
        guard let bytes = try? Hex.decode(hex) else { throw .invalidID(hex) }
        try self.init(bytes: bytes)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
    public var version: Version { Version(rawValue: bytes[0])! }

    /// The 8-byte prefix a V4 token may use in place of a full version-01 id.
    public var short: KeysetID { KeysetID(trusted: Array(bytes.prefix(8))) }

    /// True for a version-01 id cut to 8 bytes, which must be resolved
    /// against known keysets before use.
    public var isShort: Bool { version == .v2 && bytes.count == 8 }

    /// Whether `self` is `full` or a short form of it.
    public func refers(to full: KeysetID) -> Bool {
        self == full || (isShort && full.bytes.starts(with: bytes))
    }

    /// The full id among `known` that `self` names. A full id is returned as
    /// it is; a short one must match exactly one known id (NUT-00 says an
    /// ambiguous short id fails the token).
    public func resolved(among known: some Sequence<KeysetID>) throws(KeysetError) -> KeysetID {
        guard isShort else { return self }
        var found: KeysetID?
        for candidate in known where !candidate.isShort && refers(to: candidate) {
            if let found, found != candidate { throw .ambiguousShortID(self) }
            found = candidate
        }
        guard let found else { throw .unknownKeyset(self) }
        return found
    }

    init(trusted bytes: [UInt8]) { self.bytes = bytes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(hex: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }

    // MARK: Derivation

    /// Version 00: `00` + the first 7 bytes of SHA256(keys concatenated by ascending amount).
    public static func deriveV1(keys: [Amount: PublicKey]) -> KeysetID {
        let concatenated = keys.sorted { $0.key < $1.key }.flatMap(\.value.compressed)
        return KeysetID(trusted: [0x00] + SHA256.hash(data: concatenated).prefix(7))
    }

    /// Version 01: `01` + SHA256 of `amount:key,…|unit:u[|input_fee_ppk:f][|final_expiry:t]`,
    /// the fee and expiry left out when absent or zero.
    public static func deriveV2(
        keys: [Amount: PublicKey], unit: CurrencyUnit, inputFeePpk: UInt64 = 0, finalExpiry: UInt64? = nil
    ) -> KeysetID {
        var preimage = keys.sorted { $0.key < $1.key }.map { "\($0.key.value):\($0.value.hex)" }.joined(separator: ",")
        preimage += "|unit:\(unit.rawValue.lowercased())"
        if inputFeePpk != 0 { preimage += "|input_fee_ppk:\(inputFeePpk)" }
        if let finalExpiry, finalExpiry != 0 { preimage += "|final_expiry:\(finalExpiry)" }
        return KeysetID(trusted: [0x01] + SHA256.hash(data: Array(preimage.utf8)))
    }
}

/// Input fees (NUT-02): each input costs its keyset's `input_fee_ppk`
/// thousandths of a unit, and the total is rounded up once.
public enum Fees {
    /// The fee a mint charges to spend `proofs`. `keysets` must cover every
    /// proof's keyset; short ids are resolved against them.
    public static func inputFee(
        for proofs: some Sequence<Proof>, keysets: some Sequence<KeysetInfo>
    ) throws(KeysetError) -> Amount {
        var ppkByID: [KeysetID: UInt64] = [:]
        for k in keysets { ppkByID[k.id] = k.inputFeePpk }
        var ppks: [UInt64] = []
        for proof in proofs {
            let id = try proof.id.resolved(among: ppkByID.keys)
            guard let ppk = ppkByID[id] else { throw .unknownKeyset(proof.id) }
            ppks.append(ppk)
        }
        return try inputFee(ppks: ppks)
    }

    /// ceil(sum(ppk) / 1000), computed in integers as NUT-02 asks.
    public static func inputFee(ppks: some Sequence<UInt64>) throws(KeysetError) -> Amount {
        var total: UInt64 = 0
        for p in ppks {
            let (sum, overflow) = total.addingReportingOverflow(p)
            guard !overflow else { throw .feeOverflow }
            total = sum
        }
        return Amount(total / 1000 + (total % 1000 == 0 ? 0 : 1))
    }
}

public enum KeysetError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidID(String)
    case unsupportedIDVersion(String)
    case idMismatch(expected: KeysetID, derived: KeysetID)
    case unknownKeyset(KeysetID)
    case ambiguousShortID(KeysetID)
    case invalidAmount(String)
    case invalidKey(amount: Amount)
    case noKeys
    case noKeyForAmount(Amount)
    case feeOverflow

    public var description: String {
        switch self {
        case .invalidID(let s): "keyset id \"\(s)\" is not 8 or 33 bytes of hex"
        case .unsupportedIDVersion(let v): "keyset id version \"\(v)\" is not supported (expected 00 or 01)"
        case .idMismatch(let e, let d): "keyset id \(e) does not match its keys (they derive \(d))"
        case .unknownKeyset(let id): "keyset \(id) is not known for this mint"
        case .ambiguousShortID(let id): "short keyset id \(id) matches more than one known keyset"
        case .invalidAmount(let s): "keyset amount \"\(s)\" is not a positive integer"
        case .invalidKey(let a): "keyset key for amount \(a) is not a compressed secp256k1 point"
        case .noKeys: "keyset has no keys"
        case .noKeyForAmount(let a): "keyset has no key for amount \(a)"
        case .feeOverflow: "input fees overflow a 64-bit integer"
        }
    }
}
