import Crypto
import Secp256k1

/// Blind Diffie-Hellman key exchange (NUT-00): the mint signs a point it
/// cannot link to the secret the wallet later spends.
///
/// Every point and scalar operation runs in libsecp256k1 through the
/// `Secp256k1` wrapper.
public enum BDHKE {
    static let domainSeparator = Array("Secp256k1_HashToCurve_Cashu_".utf8)

    /// Y = hash_to_curve(x): the first `02 || SHA256(msg_hash || counter)`
    /// that is a valid point, counter a little-endian UInt32 from 0.
    public static func hashToCurve(_ message: [UInt8]) throws(BDHKEError) -> PublicKey {
        let msgHash = Array(SHA256.hash(data: domainSeparator + message))
        // About half of all x values are on the curve, so 2^16 tries failing is
        // a 2^-65536 event; the bound only keeps the loop finite.
        for counter in UInt32(0)..<(1 << 16) {
            let c = counter.littleEndian
            let candidate = withUnsafeBytes(of: c) { msgHash + Array($0) }
            let x = Array(SHA256.hash(data: candidate))
            if let point = try? PublicKey(compressed: [0x02] + x) { return point }
        }
        throw .noPointFound
    }

    /// B_ = Y + rG.
    public static func blind(secret: [UInt8], r: Scalar) throws(BDHKEError) -> PublicKey {
        let Y = try hashToCurve(secret)
        return try add(Y, r.publicKey)
    }

    /// C_ = kB_ (the mint's side; used by tests and to check vectors).
    public static func sign(_ B_: PublicKey, k: Scalar) -> PublicKey {
        B_.multiplied(by: k)
    }

    /// C = C_ - rK.
    public static func unblind(_ C_: PublicKey, r: Scalar, K: PublicKey) throws(BDHKEError) -> PublicKey {
        do { return try C_.subtracting(K.multiplied(by: r)) } catch { throw .pointAtInfinity }
    }

    /// The mint's check k·hash_to_curve(x) == C.
    public static func verify(secret: [UInt8], C: PublicKey, k: Scalar) throws(BDHKEError) -> Bool {
        try hashToCurve(secret).multiplied(by: k) == C
    }

    static func add(_ a: PublicKey, _ b: PublicKey) throws(BDHKEError) -> PublicKey {
        do { return try a.adding(b) } catch { throw .pointAtInfinity }
    }
}

public enum BDHKEError: Error, Equatable, Sendable, CustomStringConvertible {
    case noPointFound
    case pointAtInfinity

    public var description: String {
        switch self {
        case .noPointFound: "hash_to_curve found no curve point for this message"
        case .pointAtInfinity: "the blinded or unblinded point is the point at infinity"
        }
    }
}

/// A wallet's output before the mint signs it: the secret and blinding factor
/// it must keep (and store before sending) plus the `BlindedMessage` it sends.
public struct BlindingData: Sendable, Hashable {
    public let secret: String
    public let r: Scalar
    public let message: BlindedMessage

    public init(amount: Amount, keysetID: KeysetID, secret: String, r: Scalar) throws(BDHKEError) {
        self.secret = secret
        self.r = r
        self.message = BlindedMessage(
            amount: amount, id: keysetID, B_: try BDHKE.blind(secret: Array(secret.utf8), r: r))
    }

    /// Fresh random output: a 64-hex-character secret, as NUT-00 recommends
    /// so that secrets do not fingerprint the wallet.
    public static func random(amount: Amount, keysetID: KeysetID) -> BlindingData {
        // Blinding fails only if Y == -rG, which a random r hits with probability ~2^-256.
        try! BlindingData(
            amount: amount, keysetID: keysetID,
            secret: Hex.encode(SecureRandom.bytes(32)), r: .random())
    }

    /// The spendable proof from the mint's signature; `mintKey` is the keyset
    /// key for this amount. Any DLEQ proof is carried on with `r` (NUT-12) so a
    /// receiver can check it.
    public func unblind(_ signature: BlindSignature, mintKey: PublicKey) throws(BDHKEError) -> Proof {
        let C = try BDHKE.unblind(signature.C_, r: r, K: mintKey)
        let dleq = signature.dleq.map { ProofDLEQ(e: $0.e, s: $0.s, r: r) }
        return Proof(amount: signature.amount, id: signature.id, secret: secret, C: C, dleq: dleq)
    }
}
