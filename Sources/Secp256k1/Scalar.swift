import CSecp256k1

/// An integer in 1..n-1 (n = the secp256k1 group order), 32 bytes big-endian.
///
/// Secret keys, Cashu blinding factors and DLEQ responses are all scalars; the
/// arithmetic runs inside libsecp256k1 (`seckey_tweak_*`), never in Swift.
public struct Scalar: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 32,
            secp256k1_ec_seckey_verify(Context.shared.raw, bytes) == 1
        else { throw .invalidScalar }
        self.bytes = bytes
    }

    public init(hex: some StringProtocol) throws(Secp256k1Error) {
        try self.init(bytes: decodeHex(hex, length: 32))
    }

    /// A uniformly random scalar (rejection sampling; a miss is ~2^-128).
    public static func random() -> Scalar {
        while true {
            if let s = try? Scalar(bytes: SecureRandom.bytes(32)) { return s }
        }
    }

    /// Reduces any 32 bytes modulo n, as BIP-340 and NUT-12 do with hash outputs.
    /// Fails only when the result is zero.
    public init(reducing bytes: [UInt8]) throws(Secp256k1Error) {
        precondition(bytes.count == 32, "reducing takes exactly 32 bytes")
        try self.init(bytes: Scalar.reduceOnce(bytes))
    }

    public var hex: String { Hex.encode(bytes) }

    public func adding(_ other: Scalar) throws(Secp256k1Error) -> Scalar {
        var out = bytes
        guard secp256k1_ec_seckey_tweak_add(Context.shared.raw, &out, other.bytes) == 1 else { throw .invalidScalar }
        return Scalar(unchecked: out)
    }

    public func multiplied(by other: Scalar) -> Scalar {
        var out = bytes
        // Both factors are in 1..n-1 and n is prime, so the product is never zero.
        let ok = secp256k1_ec_seckey_tweak_mul(Context.shared.raw, &out, other.bytes)
        precondition(ok == 1, "product of two valid scalars cannot be zero")
        return Scalar(unchecked: out)
    }

    public func negated() -> Scalar {
        var out = bytes
        let ok = secp256k1_ec_seckey_negate(Context.shared.raw, &out)
        precondition(ok == 1, "negating a valid scalar cannot fail")
        return Scalar(unchecked: out)
    }

    /// The point scalar·G.
    public var publicKey: PublicKey {
        var pk = secp256k1_pubkey()
        let ok = secp256k1_ec_pubkey_create(Context.shared.raw, &pk, bytes)
        precondition(ok == 1, "a valid scalar always has a public key")
        return PublicKey(raw: pk)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    static let order: [UInt8] = try! Hex.decode(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// bytes mod n for a 256-bit value: since 2^256 < 2n, one subtraction suffices.
    static func reduceOnce(_ b: [UInt8]) -> [UInt8] {
        guard !lessThan(b, order) else { return b }
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(b[i]) - Int(order[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    static func lessThan(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        for i in 0..<32 where a[i] != b[i] { return a[i] < b[i] }
        return false
    }
}
