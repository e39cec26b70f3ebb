import Secp256k1

/// A keyset's currency unit (NUT-01): `sat`, `msat`, `usd`, ... Amounts are in
/// the unit's minor unit.
public struct CurrencyUnit: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let sat: CurrencyUnit = "sat"
    public static let msat: CurrencyUnit = "msat"
    public static let btc: CurrencyUnit = "btc"
    public static let usd: CurrencyUnit = "usd"
    public static let eur: CurrencyUnit = "eur"
    public static let auth: CurrencyUnit = "auth"

    /// Lower-case letters and digits, 1 to 16 of them: what every unit in
    /// NUT-01 looks like. Anything else in a token is refused rather than
    /// shown to an operator or fed into a keyset id.
    public var isWellFormed: Bool {
        (1...16).contains(rawValue.utf8.count)
            && rawValue.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) }
    }

    public var description: String { rawValue }
}

/// A keyset without its keys, as `GET /v1/keysets` lists it (NUT-02).
public struct KeysetInfo: Sendable, Hashable, Codable {
    public var id: KeysetID
    public var unit: CurrencyUnit
    public var active: Bool
    /// Fee per input in parts per thousand of the unit; absent or null means 0.
    public var inputFeePpk: UInt64
    /// Unix time after which the mint may forget this keyset's spent secrets.
    public var finalExpiry: UInt64?

    public init(id: KeysetID, unit: CurrencyUnit, active: Bool = true, inputFeePpk: UInt64 = 0, finalExpiry: UInt64? = nil) {
        self.id = id
        self.unit = unit
        self.active = active
        self.inputFeePpk = inputFeePpk
        self.finalExpiry = finalExpiry
    }

    enum CodingKeys: String, CodingKey {
        case id, unit, active
        case inputFeePpk = "input_fee_ppk"
        case finalExpiry = "final_expiry"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(KeysetID.self, forKey: .id)
        unit = try c.decode(CurrencyUnit.self, forKey: .unit)
        // Older mints omit `active` on /v1/keys, which lists active keysets only.
        active = try c.decodeIfPresent(Bool.self, forKey: .active) ?? true
        inputFeePpk = try c.decodeIfPresent(UInt64.self, forKey: .inputFeePpk) ?? 0
        finalExpiry = try c.decodeIfPresent(UInt64.self, forKey: .finalExpiry)
    }
}

/// A keyset with its public keys, one per amount (NUT-01).
public struct Keyset: Sendable, Hashable, Codable {
    public var info: KeysetInfo
    public var keys: [Amount: PublicKey]

    public init(info: KeysetInfo, keys: [Amount: PublicKey]) {
        self.info = info
        self.keys = keys
    }

    public init(
        id: KeysetID, unit: CurrencyUnit, active: Bool = true, inputFeePpk: UInt64 = 0,
        finalExpiry: UInt64? = nil, keys: [Amount: PublicKey]
    ) {
        self.init(
            info: KeysetInfo(id: id, unit: unit, active: active, inputFeePpk: inputFeePpk, finalExpiry: finalExpiry), keys: keys)
    }

    public var id: KeysetID { info.id }
    public var unit: CurrencyUnit { info.unit }
    public var active: Bool { info.active }
    public var inputFeePpk: UInt64 { info.inputFeePpk }
    public var finalExpiry: UInt64? { info.finalExpiry }

    /// The mint's key for `amount`.
    public func key(for amount: Amount) throws(KeysetError) -> PublicKey {
        guard let key = keys[amount] else { throw .noKeyForAmount(amount) }
        return key
    }

    /// Recomputes the id from the keys and metadata (NUT-02) and checks it
    /// matches the one the mint gave: a mint must not be able to pass off
    /// other keys under a known id.
    public func verifyID() throws(KeysetError) {
        let derived: KeysetID
        switch id.version {
        case .v1: derived = KeysetID.deriveV1(keys: keys)
        case .v2:
            derived = KeysetID.deriveV2(keys: keys, unit: unit, inputFeePpk: info.inputFeePpk, finalExpiry: info.finalExpiry)
        }
        guard derived == id else { throw .idMismatch(expected: id, derived: derived) }
    }

    /// Parses the `keys` object of a NUT-01 response: decimal amounts to
    /// compressed keys. Uncompressed or short keys are refused (NUT-01 vectors).
    public static func parseKeys(_ raw: [String: String]) throws(KeysetError) -> [Amount: PublicKey] {
        var keys: [Amount: PublicKey] = [:]
        for (amountText, hex) in raw {
            guard let value = UInt64(amountText) else { throw .invalidAmount(amountText) }
            // Zero can never be signed for; other amounts are the mint's choice.
            guard value != 0 else { throw .invalidAmount(amountText) }
            let amount = Amount(value)
            do { keys[amount] = try PublicKey(hex: hex) } catch { throw .invalidKey(amount: amount) }
        }
        guard !keys.isEmpty else { throw .noKeys }
        return keys
    }

    enum CodingKeys: String, CodingKey { case keys }

    public init(from decoder: any Decoder) throws {
        info = try KeysetInfo(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do { keys = try Keyset.parseKeys(try c.decode([String: String].self, forKey: .keys)) } catch let e as KeysetError {
            throw DecodingError.dataCorruptedError(forKey: .keys, in: c, debugDescription: e.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try info.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Dictionary(uniqueKeysWithValues: keys.map { (String($0.key.value), $0.value.hex) }), forKey: .keys)
    }
}
