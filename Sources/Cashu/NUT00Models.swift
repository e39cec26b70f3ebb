import Crypto
import Foundation
import Secp256k1

/// An input: a secret and the mint's unblinded signature on it (NUT-00).
/// Whoever holds it can spend it, so it is never logged.
public struct Proof: Sendable, Hashable, Codable, CustomStringConvertible {
    public var amount: Amount
    public var id: KeysetID
    /// The exact string the mint signed; NUT-10 secrets are signed as these bytes.
    public var secret: String
    public var C: PublicKey
    /// The witness as the JSON string the wire carries (NUT-11 `P2PKWitness`).
    public var witness: String?
    public var dleq: ProofDLEQ?

    public init(amount: Amount, id: KeysetID, secret: String, C: PublicKey, witness: String? = nil, dleq: ProofDLEQ? = nil) {
        self.amount = amount
        self.id = id
        self.secret = secret
        self.C = C
        self.witness = witness
        self.dleq = dleq
    }

    /// Y = hash_to_curve(secret): the value mints use to report proof states.
    public func Y() throws(BDHKEError) -> PublicKey { try BDHKE.hashToCurve(Array(secret.utf8)) }

    public var description: String { "Proof(\(amount) from \(id), <secret redacted>)" }

    enum CodingKeys: String, CodingKey { case amount, id, secret, C, witness, dleq }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Amount.self, forKey: .amount)
        id = try c.decode(KeysetID.self, forKey: .id)
        secret = try c.decode(String.self, forKey: .secret)
        C = try c.decodePoint(forKey: .C)
        dleq = try c.decodeIfPresent(ProofDLEQ.self, forKey: .dleq)
        // Some wallets send the witness as an object instead of a string;
        // both mean the same, and the string form is what is kept.
        if let text = try? c.decodeIfPresent(String.self, forKey: .witness) {
            witness = text
        } else if let object = try c.decodeIfPresent(P2PKWitness.self, forKey: .witness) {
            witness = object.json
        } else {
            witness = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amount, forKey: .amount)
        try c.encode(id, forKey: .id)
        try c.encode(secret, forKey: .secret)
        try c.encode(C.hex, forKey: .C)
        try c.encodeIfPresent(witness, forKey: .witness)
        try c.encodeIfPresent(dleq, forKey: .dleq)
    }
}

/// An output the wallet asks the mint to sign: B_ = Y + rG (NUT-00).
public struct BlindedMessage: Sendable, Hashable, Codable {
    public var amount: Amount
    public var id: KeysetID
    public var B_: PublicKey

    public init(amount: Amount, id: KeysetID, B_: PublicKey) {
        self.amount = amount
        self.id = id
        self.B_ = B_
    }

    enum CodingKeys: String, CodingKey { case amount, id, B_ }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Amount.self, forKey: .amount)
        id = try c.decode(KeysetID.self, forKey: .id)
        B_ = try c.decodePoint(forKey: .B_)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amount, forKey: .amount)
        try c.encode(id, forKey: .id)
        try c.encode(B_.hex, forKey: .B_)
    }
}

/// The mint's signature on a `BlindedMessage`: C_ = kB_ (NUT-00), with an
/// optional DLEQ proof that k is the keyset's key (NUT-12).
public struct BlindSignature: Sendable, Hashable, Codable {
    public var amount: Amount
    public var id: KeysetID
    public var C_: PublicKey
    public var dleq: BlindSignatureDLEQ?

    public init(amount: Amount, id: KeysetID, C_: PublicKey, dleq: BlindSignatureDLEQ? = nil) {
        self.amount = amount
        self.id = id
        self.C_ = C_
        self.dleq = dleq
    }

    enum CodingKeys: String, CodingKey { case amount, id, C_, dleq }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Amount.self, forKey: .amount)
        id = try c.decode(KeysetID.self, forKey: .id)
        C_ = try c.decodePoint(forKey: .C_)
        dleq = try c.decodeIfPresent(BlindSignatureDLEQ.self, forKey: .dleq)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amount, forKey: .amount)
        try c.encode(id, forKey: .id)
        try c.encode(C_.hex, forKey: .C_)
        try c.encodeIfPresent(dleq, forKey: .dleq)
    }
}

/// NUT-12 DLEQ proof as the mint returns it.
public struct BlindSignatureDLEQ: Sendable, Hashable, Codable {
    public var e: Scalar
    public var s: Scalar

    public init(e: Scalar, s: Scalar) { self.e = e; self.s = s }

    enum CodingKeys: String, CodingKey { case e, s }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        e = try c.decodeScalar(forKey: .e)
        s = try c.decodeScalar(forKey: .s)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.hex, forKey: .e)
        try c.encode(s.hex, forKey: .s)
    }
}

/// NUT-12 DLEQ proof as a token carries it: with the blinding factor `r`, so
/// that a receiver can rebuild B_ and C_.
public struct ProofDLEQ: Sendable, Hashable, Codable {
    public var e: Scalar
    public var s: Scalar
    public var r: Scalar

    public init(e: Scalar, s: Scalar, r: Scalar) { self.e = e; self.s = s; self.r = r }

    enum CodingKeys: String, CodingKey { case e, s, r }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        e = try c.decodeScalar(forKey: .e)
        s = try c.decodeScalar(forKey: .s)
        r = try c.decodeScalar(forKey: .r)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.hex, forKey: .e)
        try c.encode(s.hex, forKey: .s)
        try c.encode(r.hex, forKey: .r)
    }
}

extension KeyedDecodingContainer {
    func decodePoint(forKey key: Key) throws -> PublicKey {
        let hex = try decode(String.self, forKey: key)
        do { return try PublicKey(hex: hex) } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.description)
        }
    }

    func decodeScalar(forKey key: Key) throws -> Scalar {
        let hex = try decode(String.self, forKey: key)
        do { return try Scalar(hex: hex) } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.description)
        }
    }
}
