import CSecp256k1

/// A point on secp256k1, serialized compressed (33 bytes, `02`/`03` prefix).
///
/// Cashu's blinded messages, signatures and keyset keys are points like this;
/// the parsed libsecp256k1 form is kept so arithmetic does not re-parse.
public struct PublicKey: Sendable, Hashable {
    public let compressed: [UInt8]
    let raw: secp256k1_pubkey

    public init(compressed bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 33, bytes[0] == 0x02 || bytes[0] == 0x03 else { throw .invalidPublicKey }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Context.shared.raw, &pk, bytes, 33) == 1 else { throw .invalidPublicKey }
        self.raw = pk
        self.compressed = bytes
    }

    public init(hex: some StringProtocol) throws(Secp256k1Error) {
        try self.init(compressed: decodeHex(hex, length: 33))
    }

    init(raw: secp256k1_pubkey) {
        var pk = raw
        var out = [UInt8](repeating: 0, count: 33)
        var len = 33
        secp256k1_ec_pubkey_serialize(Context.shared.raw, &out, &len, &pk, UInt32(SECP256K1_EC_COMPRESSED))
        self.raw = raw
        self.compressed = out
    }

    public var hex: String { Hex.encode(compressed) }

    /// The 65-byte `04 || x || y` form, which NUT-12 hashes.
    public var uncompressed: [UInt8] {
        var pk = raw
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        secp256k1_ec_pubkey_serialize(Context.shared.raw, &out, &len, &pk, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return out
    }

    /// The x coordinate alone (32 bytes), as BIP-340 and NIP-44's ECDH use it.
    public var x: [UInt8] { Array(compressed[1...]) }

    public var xOnly: XOnlyPublicKey { XOnlyPublicKey(trusted: x) }

    /// self + other. Fails when the sum is the point at infinity (other == -self).
    public func adding(_ other: PublicKey) throws(Secp256k1Error) -> PublicKey {
        var out = secp256k1_pubkey()
        var a = raw, b = other.raw
        let ok = withUnsafePointer(to: &a) { pa in
            withUnsafePointer(to: &b) { pb in
                var list: [UnsafePointer<secp256k1_pubkey>?] = [pa, pb]
                return secp256k1_ec_pubkey_combine(Context.shared.raw, &out, &list, 2)
            }
        }
        guard ok == 1 else { throw .pointAtInfinity }
        return PublicKey(raw: out)
    }

    public func negated() -> PublicKey {
        var pk = raw
        let ok = secp256k1_ec_pubkey_negate(Context.shared.raw, &pk)
        precondition(ok == 1, "negating a valid point cannot fail")
        return PublicKey(raw: pk)
    }

    /// self - other.
    public func subtracting(_ other: PublicKey) throws(Secp256k1Error) -> PublicKey {
        try adding(other.negated())
    }

    /// scalar·self.
    public func multiplied(by scalar: Scalar) -> PublicKey {
        var pk = raw
        let ok = secp256k1_ec_pubkey_tweak_mul(Context.shared.raw, &pk, scalar.bytes)
        precondition(ok == 1, "a valid point times a valid scalar is never infinity")
        return PublicKey(raw: pk)
    }

    public static func == (a: PublicKey, b: PublicKey) -> Bool { a.compressed == b.compressed }
    public func hash(into h: inout Hasher) { h.combine(compressed) }
}
