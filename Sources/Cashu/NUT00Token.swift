import Secp256k1

/// A serialized ecash token (NUT-00): proofs from one mint in one unit.
///
/// Both wire formats decode to this one value: V3 `cashuA` (base64 JSON) and
/// V4 `cashuB` (base64 CBOR). V3 could name several mints; loom pays and is
/// paid at one mint at a time, so such a token is refused.
public struct Token: Sendable, Hashable {
    /// The mint URL without trailing slashes, as NUT-00 requires.
    public var mint: String
    public var unit: CurrencyUnit
    public var memo: String?
    public var proofs: [Proof]

    public init(mint: String, unit: CurrencyUnit, memo: String? = nil, proofs: [Proof]) {
        self.mint = Token.normalizeMintURL(mint)
        self.unit = unit
        self.memo = memo
        self.proofs = proofs
    }

    public static func normalizeMintURL(_ url: String) -> String {
        var s = Substring(url.trimmingWhitespace())
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }

    /// The checked total of all proofs.
    public func amount() throws(TokenError) -> Amount {
        do { return try Amount.sum(proofs.map(\.amount)) } catch { throw .amountOverflow }
    }

    /// Keyset ids in order of first appearance.
    public var keysetIDs: [KeysetID] {
        var seen = Set<KeysetID>()
        return proofs.map(\.id).filter { seen.insert($0).inserted }
    }

    /// The rules every token must meet whatever its format: at least one
    /// proof, no zero amounts, no secret twice, a total that fits, a unit
    /// that looks like a unit.
    public func validate() throws(TokenError) {
        guard !mint.isEmpty else { throw .missingField("mint") }
        guard unit.isWellFormed else { throw .unsupportedUnit(unit.rawValue) }
        guard !proofs.isEmpty else { throw .emptyProofs }
        var secrets = Set<String>()
        for p in proofs {
            guard p.amount != .zero else { throw .invalidField("amount", reason: "a proof of amount 0") }
            guard secrets.insert(p.secret).inserted else { throw .duplicateSecrets }
        }
        _ = try amount()
    }

    /// Replaces short keyset ids (V4) with the full ids they name among
    /// `known`; fails on an unknown or ambiguous short id.
    public func resolvingKeysetIDs(among known: [KeysetID]) throws(TokenError) -> Token {
        var out = self
        for i in out.proofs.indices where out.proofs[i].id.isShort {
            do { out.proofs[i].id = try out.proofs[i].id.resolved(among: known) } catch {
                if case .ambiguousShortID(let id) = error { throw .ambiguousKeyset(id) }
                throw .unknownKeyset(out.proofs[i].id)
            }
        }
        return out
    }

    /// Decodes `cashuA…` or `cashuB…` (an optional `cashu:` URI prefix is
    /// dropped), then checks it with `validate()`. With `acceptedUnits`, a
    /// token in any other unit is refused.
    public static func decode(_ text: String, acceptedUnits: Set<CurrencyUnit>? = nil) throws(TokenError) -> Token {
        var s = Substring(text.trimmingWhitespace())
        if s.lowercased().hasPrefix("cashu:") { s = s.dropFirst(6) }
        guard s.hasPrefix("cashu"), let version = s.dropFirst(5).first else { throw .badPrefix }
        let payload = s.dropFirst(6)
        let token: Token
        switch version {
        case "A":
            guard let bytes = Base64URL.decode(payload) else { throw .badBase64 }
            token = try TokenV3.decode(json: bytes)
        case "B":
            guard let bytes = Base64URL.decode(payload) else { throw .badBase64 }
            token = try TokenV4.decode(cbor: bytes)
        default:
            throw .unsupportedVersion(String(version))
        }
        try token.validate()
        if let acceptedUnits, !acceptedUnits.contains(token.unit) { throw .unsupportedUnit(token.unit.rawValue) }
        return token
    }

    /// Decodes the binary form `craw` `B` CBOR (NUT-00 "Binary Token").
    public static func decode(raw: [UInt8]) throws(TokenError) -> Token {
        let prefix = Array("crawB".utf8)
        guard raw.starts(with: prefix) else { throw .badPrefix }
        let token = try TokenV4.decode(cbor: Array(raw.dropFirst(prefix.count)))
        try token.validate()
        return token
    }

    /// `cashuA…`: deprecated, but still what some wallets read.
    public func serializedV3() throws(TokenError) -> String {
        try validate()
        return "cashuA" + Base64URL.encode(Array(TokenV3.json(self).utf8), padded: true)
    }

    /// `cashuB…`. With `shortKeysetIDs`, version-01 ids are cut to 8 bytes
    /// (smaller; the receiver must know the keyset to resolve them).
    public func serializedV4(shortKeysetIDs: Bool = false) throws(TokenError) -> String {
        try validate()
        return "cashuB" + Base64URL.encode(TokenV4.cbor(self, shortKeysetIDs: shortKeysetIDs).encoded())
    }

    /// `craw` `B` + CBOR, for NFC and other binary channels.
    public func rawV4(shortKeysetIDs: Bool = false) throws(TokenError) -> [UInt8] {
        try validate()
        return Array("crawB".utf8) + TokenV4.cbor(self, shortKeysetIDs: shortKeysetIDs).encoded()
    }

    /// Builds a token from proofs of possibly several keysets, one from each
    /// part of a V3 token or group of a V4 token.
    static func fromParts(mint: String?, unit: String?, memo: String?, proofs: [Proof]) throws(TokenError) -> Token {
        guard let mint, !mint.isEmpty else { throw .missingField("mint") }
        // V3 tokens may leave the unit out; they predate other units than sat.
        return Token(mint: mint, unit: CurrencyUnit(unit ?? "sat"), memo: memo, proofs: proofs)
    }
}

public enum TokenError: Error, Equatable, Sendable, CustomStringConvertible {
    case badPrefix
    case unsupportedVersion(String)
    case badBase64
    case badJSON(String)
    case badCBOR(String)
    case missingField(String)
    case invalidField(String, reason: String)
    case emptyProofs
    case unsupportedUnit(String)
    case duplicateSecrets
    case amountOverflow
    case multipleMints
    case unknownKeyset(KeysetID)
    case ambiguousKeyset(KeysetID)

    public var description: String {
        switch self {
        case .badPrefix: "not a Cashu token: it must start with \"cashuA\" or \"cashuB\""
        case .unsupportedVersion(let v): "Cashu token version \"\(v)\" is not supported (only A and B)"
        case .badBase64: "token is not valid base64url"
        case .badJSON(let why): "V3 token is not valid token JSON: \(why)"
        case .badCBOR(let why): "V4 token is not valid token CBOR: \(why)"
        case .missingField(let f): "token has no \"\(f)\" field"
        case .invalidField(let f, let why): "token field \"\(f)\" is invalid: \(why)"
        case .emptyProofs: "token contains no proofs"
        case .unsupportedUnit(let u): "token unit \"\(u)\" is not accepted"
        case .duplicateSecrets: "token contains the same proof secret twice"
        case .amountOverflow: "token amounts add up to more than a 64-bit integer holds"
        case .multipleMints: "token holds proofs from more than one mint"
        case .unknownKeyset(let id): "token names keyset \(id), which this mint does not have"
        case .ambiguousKeyset(let id): "token's short keyset id \(id) matches more than one keyset of this mint"
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[start...end])
    }
}
