import CSecp256k1

/// A secp256k1 secret key. Its description never shows the key.
public struct SecretKey: Sendable, Hashable, CustomStringConvertible {
    public let scalar: Scalar

    public init(scalar: Scalar) { self.scalar = scalar }

    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        do { scalar = try Scalar(bytes: bytes) } catch { throw .invalidSecretKey }
    }

    public init(hex: some StringProtocol) throws(Secp256k1Error) {
        try self.init(bytes: decodeHex(hex, length: 32))
    }

    public static func generate() -> SecretKey { SecretKey(scalar: .random()) }

    public var bytes: [UInt8] { scalar.bytes }
    public var hex: String { scalar.hex }
    public var description: String { "SecretKey(<redacted>)" }

    /// The compressed public key (either parity).
    public var publicKey: PublicKey { scalar.publicKey }

    /// The BIP-340 x-only public key (a Nostr pubkey).
    public var xOnlyPublicKey: XOnlyPublicKey { publicKey.xOnly }

    /// BIP-340 Schnorr signature over `message`. `auxRand` defaults to 32 fresh
    /// random bytes, as BIP-340 recommends; tests pass fixed bytes for vectors.
    public func signSchnorr(message: [UInt8], auxRand: [UInt8]? = nil) throws(Secp256k1Error) -> [UInt8] {
        let ctx = Context.shared.raw
        var keypair = secp256k1_keypair()
        guard secp256k1_keypair_create(ctx, &keypair, bytes) == 1 else { throw .invalidSecretKey }
        var aux = auxRand ?? SecureRandom.bytes(32)
        guard aux.count == 32 else { throw .signingFailed }
        var sig = [UInt8](repeating: 0, count: 64)
        let ok = aux.withUnsafeMutableBytes { auxPtr in
            var extra = secp256k1_schnorrsig_extraparams()
            // SECP256K1_SCHNORRSIG_EXTRAPARAMS_MAGIC, written out because Swift cannot import the macro.
            extra.magic = (0xda, 0x6f, 0xb3, 0x8c)
            extra.noncefp = nil
            extra.ndata = auxPtr.baseAddress
            return secp256k1_schnorrsig_sign_custom(ctx, &sig, message, message.count, &keypair, &extra)
        }
        guard ok == 1 else { throw .signingFailed }
        return sig
    }

    /// The x coordinate of self·peer: the unhashed ECDH secret NIP-44 feeds to HKDF.
    public func sharedX(with peer: PublicKey) -> [UInt8] {
        peer.multiplied(by: scalar).x
    }
}
