import Foundation
import Secp256k1

/// Key input as people type it: CLIs, `.env` files and whitelists accept
/// bech32 or hex, with or without a `nostr:` prefix and stray whitespace.
public enum NIP19 {
    /// An `npub…`, `nprofile…` (its key) or 64-character hex public key.
    public static func publicKey(from text: String) throws(NIP19Error) -> XOnlyPublicKey {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if isHex64(t) {
            guard let key = try? XOnlyPublicKey(hex: t) else { throw .invalidPublicKey(prefix: "hex") }
            return key
        }
        guard looksLikeBech32(t) else { throw .unrecognizedKey(expected: "npub1…, nprofile1… or 64 hex characters") }
        switch try NIP19Entity.decode(t) {
        case .npub(let key), .nprofile(let key, _): return key
        case let other: throw .notAPublicKey(prefix: other.prefix)
        }
    }

    /// An `nsec…` or 64-character hex secret key.
    public static func secretKey(from text: String) throws(NIP19Error) -> SecretKey {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if isHex64(t) {
            guard let key = try? SecretKey(hex: t) else { throw .invalidSecretKey }
            return key
        }
        guard looksLikeBech32(t) else { throw .unrecognizedKey(expected: "nsec1… or 64 hex characters") }
        switch try NIP19Entity.decode(t) {
        case .nsec(let key): return key
        case let other: throw .notASecretKey(prefix: other.prefix)
        }
    }

    static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.allSatisfy { $0.isASCII && $0.isHexDigit }
    }

    static func looksLikeBech32(_ s: String) -> Bool { s.contains("1") }
}

extension XOnlyPublicKey {
    /// This key as `npub1…` (NIP-19).
    public var npub: String { NIP19Entity.npub(self).encoded }
}

extension SecretKey {
    /// This key as `nsec1…` (NIP-19). Secret: never log it.
    public var nsec: String { NIP19Entity.nsec(self).encoded }
}
