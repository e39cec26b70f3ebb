import Crypto
import Secp256k1

/// Discrete-log-equality proofs (NUT-12): the mint shows that the key `a`
/// behind its published `A = aG` is the one that made `C_ = aB_`, so a
/// wallet can check a signature without asking the mint.
public enum DLEQ {
    /// SHA256 of the concatenated lower-case hex of the uncompressed points.
    public static func hashE(_ points: [PublicKey]) -> [UInt8] {
        let text = points.map { Hex.encode($0.uncompressed) }.joined()
        return Array(SHA256.hash(data: Array(text.utf8)))
    }

    /// R1 = sG - eA, R2 = sB_ - eC_, then e == hash(R1, R2, A, C_).
    public static func verify(e: Scalar, s: Scalar, A: PublicKey, B_: PublicKey, C_: PublicKey) -> Bool {
        guard let R1 = try? s.publicKey.subtracting(A.multiplied(by: e)),
            let R2 = try? B_.multiplied(by: s).subtracting(C_.multiplied(by: e))
        else { return false }
        return hashE([R1, R2, A, C_]) == e.bytes
    }

    /// The mint's proof for C_ = aB_ with the deterministic nonce of NUT-12:
    /// r = HMAC-SHA256(a, "Cashu_DLEQ_R_v1" || A || B_ || C_ || ctr), the
    /// points uncompressed, ctr counting up from 0 until r is a valid scalar.
    public static func prove(a: Scalar, B_: PublicKey) throws(DLEQError) -> BlindSignatureDLEQ {
        let A = a.publicKey
        let C_ = B_.multiplied(by: a)
        let key = SymmetricKey(data: a.bytes)
        let base = Array("Cashu_DLEQ_R_v1".utf8) + A.uncompressed + B_.uncompressed + C_.uncompressed
        for ctr in 0...UInt8.max {
            guard let r = try? Scalar(bytes: Array(HMAC<SHA256>.authenticationCode(for: base + [ctr], using: key))) else {
                continue
            }
            let R1 = r.publicKey, R2 = B_.multiplied(by: r)
            guard let e = try? Scalar(reducing: hashE([R1, R2, A, C_])),
                let s = try? r.adding(e.multiplied(by: a))
            else { throw .degenerate }
            return BlindSignatureDLEQ(e: e, s: s)
        }
        throw .degenerate
    }
}

public enum DLEQError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing
    case invalid
    case degenerate

    public var description: String {
        switch self {
        case .missing: "no DLEQ proof is attached"
        case .invalid: "DLEQ proof does not verify: the mint's signature is not by this keyset's key"
        case .degenerate: "DLEQ proof could not be formed (zero scalar)"
        }
    }
}

extension BlindSignature {
    /// Checks the mint's DLEQ proof; `A` is the keyset key for this amount
    /// and `B_` the blinded message this signature answers.
    public func verifyDLEQ(A: PublicKey, B_: PublicKey) throws(DLEQError) {
        guard let dleq else { throw .missing }
        guard DLEQ.verify(e: dleq.e, s: dleq.s, A: A, B_: B_, C_: C_) else { throw .invalid }
    }
}

extension Proof {
    /// Checks a DLEQ proof carried in a token, rebuilding B_ = Y + rG and
    /// C_ = C + rA from the sender's blinding factor `r`.
    public func verifyDLEQ(A: PublicKey) throws(DLEQError) {
        guard let dleq else { throw .missing }
        guard let Y = try? self.Y(),
            let B_ = try? Y.adding(dleq.r.publicKey),
            let C_ = try? C.adding(A.multiplied(by: dleq.r)),
            DLEQ.verify(e: dleq.e, s: dleq.s, A: A, B_: B_, C_: C_)
        else { throw .invalid }
    }
}
