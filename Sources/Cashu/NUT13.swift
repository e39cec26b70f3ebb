import Crypto
import Secp256k1

/// A secret and blinding factor derived from the wallet seed, so that a
/// lost wallet can ask the mint to re-sign its outputs (NUT-09) and recover.
public struct DeterministicSecret: Sendable, Hashable {
    public let secret: String
    public let r: Scalar
}

/// NUT-13 derivation. The method follows the keyset id version: HMAC-SHA256
/// for `01`, the legacy BIP-32 path m/129372'/0'/{id}'/{counter}'/{0|1} for `00`.
public enum DeterministicSecrets {
    public static func derive(seed: [UInt8], keysetID: KeysetID, counter: UInt32) throws(DerivationError) -> DeterministicSecret {
        switch keysetID.version {
        case .v2: return try deriveHMAC(seed: seed, keysetID: keysetID, counter: counter)
        case .v1: return try deriveBIP32(seed: seed, keysetID: keysetID, counter: counter)
        }
    }

    /// The output for `counter`, ready to send to the mint.
    public static func blindingData(
        seed: [UInt8], keysetID: KeysetID, counter: UInt32, amount: Amount
    ) throws(DerivationError) -> BlindingData {
        let d = try derive(seed: seed, keysetID: keysetID, counter: counter)
        do { return try BlindingData(amount: amount, keysetID: keysetID, secret: d.secret, r: d.r) } catch { throw .invalidKey }
    }

    /// The id as a big-endian integer mod 2^31 - 1 (version-01 ids cut to 8
    /// bytes first): the hardened path element of the legacy derivation.
    public static func keysetIDInt(_ id: KeysetID) -> UInt32 {
        var v: UInt64 = 0
        for b in id.bytes.prefix(8) { v = (v << 8 | UInt64(b)) % 0x7fff_ffff }
        return UInt32(v)
    }

    /// secret = HMAC-SHA256(seed, "Cashu_KDF_HMAC_SHA256" || id || counter_u64_be || 00),
    /// r = HMAC-SHA256(seed, … || 01) mod n.
    static func deriveHMAC(seed: [UInt8], keysetID: KeysetID, counter: UInt32) throws(DerivationError) -> DeterministicSecret {
        guard !keysetID.isShort else { throw .shortKeysetID }
        let key = SymmetricKey(data: seed)
        let message =
            Array("Cashu_KDF_HMAC_SHA256".utf8) + keysetID.bytes
            + (0..<8).map { UInt8(truncatingIfNeeded: UInt64(counter) >> (56 - 8 * $0)) }
        let secret = Array(HMAC<SHA256>.authenticationCode(for: message + [0], using: key))
        let rDigest = Array(HMAC<SHA256>.authenticationCode(for: message + [1], using: key))
        guard let r = try? Scalar(reducing: rDigest) else { throw .invalidKey }
        return DeterministicSecret(secret: Hex.encode(secret), r: r)
    }

    static func deriveBIP32(seed: [UInt8], keysetID: KeysetID, counter: UInt32) throws(DerivationError) -> DeterministicSecret {
        guard counter < ExtendedPrivateKey.hardened else { throw .counterTooLarge(counter) }
        let h = ExtendedPrivateKey.hardened
        let base = try ExtendedPrivateKey.master(seed: seed).derive([129_372 | h, 0 | h, keysetIDInt(keysetID) | h, counter | h])
        let secret = try base.child(0).key
        let r = try base.child(1).key
        // The legacy scheme uses the secret key's hex as the proof secret.
        return DeterministicSecret(secret: secret.hex, r: r)
    }
}

public enum DerivationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidKey
    case counterTooLarge(UInt32)
    case shortKeysetID

    public var description: String {
        switch self {
        case .invalidKey: "derivation produced an invalid key (probability below 2^-127)"
        case .counterTooLarge(let c): "counter \(c) does not fit a hardened BIP-32 index"
        case .shortKeysetID: "secrets are derived from the full keyset id, not its short form"
        }
    }
}
