/// Why a NIP-19 string was refused. Descriptions never echo key material.
public enum NIP19Error: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong(Int, limit: Int)
    case tooShort
    case missingSeparator
    case invalidCharacter(Character)
    case mixedCase
    case badChecksum
    case invalidPadding
    case unknownPrefix(String)
    case secretKeyInURI
    case wrongLength(prefix: String, field: String, expected: Int, got: Int)
    case invalidPublicKey(prefix: String)
    case invalidSecretKey
    case truncatedTLV(prefix: String)
    case missingTLV(prefix: String, field: String)
    case invalidUTF8(prefix: String, field: String)
    case valueTooLong(field: String, bytes: Int)
    case kindOutOfRange(Int)
    case notAPublicKey(prefix: String)
    case notASecretKey(prefix: String)
    case unrecognizedKey(expected: String)

    public var description: String {
        switch self {
        case .tooLong(let n, let limit): "bech32 string is \(n) characters, over the \(limit)-character limit"
        case .tooShort: "bech32 string is too short to hold a 6-character checksum"
        case .missingSeparator: "bech32 string has no '1' separating the prefix from the data"
        case .invalidCharacter(let c):
            "bech32 string contains \(c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined()) "
                + "(\(c.isLetter || c.isNumber || c.isPunctuation ? "'\(c)'" : "unprintable")), which is not in the bech32 alphabet"
        case .mixedCase: "bech32 string mixes upper- and lower-case letters"
        case .badChecksum: "bech32 checksum does not match: the string is mistyped or truncated (or is bech32m)"
        case .invalidPadding: "bech32 data has non-zero or over-long padding bits"
        case .unknownPrefix(let p): "unknown NIP-19 prefix '\(p)' (expected npub, nsec, note, nprofile, nevent or naddr)"
        case .secretKeyInURI: "a nostr: URI must never carry an nsec (NIP-21); treat that key as leaked"
        case .wrongLength(let p, let f, let e, let g): "\(p) \(f) must be \(e) bytes, got \(g)"
        case .invalidPublicKey(let p): "\(p) holds 32 bytes that are not a valid secp256k1 x-only public key"
        case .invalidSecretKey:
            "nsec holds 32 bytes that are not a valid secp256k1 secret key (zero or not below the curve order)"
        case .truncatedTLV(let p): "\(p) TLV data ends in the middle of a record"
        case .missingTLV(let p, let f): "\(p) lacks its required \(f) record"
        case .invalidUTF8(let p, let f): "\(p) \(f) is not valid UTF-8"
        case .valueTooLong(let f, let n): "\(f) is \(n) bytes; a NIP-19 TLV value holds at most 255"
        case .kindOutOfRange(let k): "kind \(k) does not fit NIP-19's unsigned 32-bit kind field"
        case .notAPublicKey(let p): "expected a public key (npub, nprofile or hex), got a \(p)"
        case .notASecretKey(let p): "expected a secret key (nsec or hex), got a \(p)"
        case .unrecognizedKey(let expected): "not a key: expected \(expected)"
        }
    }
}
