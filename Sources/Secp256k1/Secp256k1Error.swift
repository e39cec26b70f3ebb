/// Every way a curve operation can refuse its input. Nothing here traps.
public enum Secp256k1Error: Error, Equatable, CustomStringConvertible {
    case invalidSecretKey
    case invalidPublicKey
    case invalidXOnlyPublicKey
    case invalidScalar
    case invalidSignatureLength(Int)
    case pointAtInfinity
    case signingFailed
    case invalidHex(Hex.Error)

    public var description: String {
        switch self {
        case .invalidSecretKey: "secret key is not in the range 1..n-1 of secp256k1"
        case .invalidPublicKey: "public key is not a valid compressed secp256k1 point (33 bytes, 02/03 prefix)"
        case .invalidXOnlyPublicKey: "x-only public key is not the x coordinate of a secp256k1 point"
        case .invalidScalar: "scalar is zero or not below the curve order"
        case .invalidSignatureLength(let n): "Schnorr signature must be 64 bytes, got \(n)"
        case .pointAtInfinity: "the result is the point at infinity"
        case .signingFailed: "libsecp256k1 refused to sign"
        case .invalidHex(let e): e.description
        }
    }
}

func decodeHex(_ s: some StringProtocol, length: Int) throws(Secp256k1Error) -> [UInt8] {
    do { return try Hex.decode(s, length: length) } catch { throw .invalidHex(error) }
}
