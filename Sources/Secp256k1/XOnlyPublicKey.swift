import CSecp256k1

/// A BIP-340 public key: the 32-byte x coordinate of a point with even y.
/// This is the form of Nostr pubkeys.
public struct XOnlyPublicKey: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 32 else { throw .invalidXOnlyPublicKey }
        var pk = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(Context.shared.raw, &pk, bytes) == 1 else { throw .invalidXOnlyPublicKey }
        self.bytes = bytes
    }

    public init(hex: some StringProtocol) throws(Secp256k1Error) {
        try self.init(bytes: decodeHex(hex, length: 32))
    }

    init(trusted bytes: [UInt8]) { self.bytes = bytes }

    public var hex: String { Hex.encode(bytes) }

    /// The same point as a compressed key with the even-y prefix `02`, which is
    /// how Cashu P2PK (NUT-11) names a Nostr key.
    public var evenPublicKey: PublicKey {
        // Parsing cannot fail: bytes was validated as an x coordinate on the curve.
        try! PublicKey(compressed: [0x02] + bytes)
    }

    /// BIP-340 verification of `signature` over `message` (any length; Nostr signs 32-byte ids).
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        var pk = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(Context.shared.raw, &pk, bytes) == 1 else { return false }
        return secp256k1_schnorrsig_verify(Context.shared.raw, signature, message, message.count, &pk) == 1
    }
}
