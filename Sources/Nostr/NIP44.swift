import Crypto
import CryptoExtras
import Foundation
import Secp256k1

/// NIP-44 version 2 encrypted payloads.
///
/// Lengths follow the audited v2 and its published vectors: plaintexts of
/// 1...65535 bytes behind a two-byte length prefix. (A later edit of the NIP
/// adds a six-byte prefix for longer texts; the vectors file the NIP pins
/// still lists 65536 as invalid, and peers in the wild reject it, so we do too.)
public enum NIP44 {
    public static let version: UInt8 = 2
    public static let minPlaintextBytes = 1
    public static let maxPlaintextBytes = 65535
    /// Base64 characters and decoded bytes of the smallest and largest v2 payloads:
    /// version (1) + nonce (32) + padded text (34...65538) + MAC (32).
    static let payloadCharacters = 132...87472
    static let payloadBytes = 99...65603

    /// The long-term key of a pair: HKDF-extract over the unhashed ECDH x
    /// coordinate, salted with "nip44-v2". Symmetric: conv(a, B) == conv(b, A).
    public static func conversationKey(_ secretKey: SecretKey, _ publicKey: XOnlyPublicKey) -> [UInt8] {
        let sharedX = secretKey.sharedX(with: publicKey.evenPublicKey)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: sharedX), salt: Array("nip44-v2".utf8))
        return Array(prk)
    }

    /// Per-message ChaCha20 key, ChaCha20 nonce and HMAC key, from HKDF-expand
    /// of the conversation key with the message nonce as info.
    public static func messageKeys(
        conversationKey: [UInt8], nonce: [UInt8]
    )
        throws(NIP44Error) -> (chachaKey: [UInt8], chachaNonce: [UInt8], hmacKey: [UInt8])
    {
        guard conversationKey.count == 32 else { throw .invalidConversationKeyLength(conversationKey.count) }
        guard nonce.count == 32 else { throw .invalidNonceLength(nonce.count) }
        let okm = HKDF<SHA256>.expand(pseudoRandomKey: conversationKey, info: nonce, outputByteCount: 76)
        let keys = okm.withUnsafeBytes { Array($0) }
        return (Array(keys[0..<32]), Array(keys[32..<44]), Array(keys[44..<76]))
    }

    /// Padded size of an `n`-byte plaintext: 32 bytes minimum, then steps of
    /// an eighth of the next power of two, so lengths leak only coarsely.
    public static func calcPaddedLength(_ n: Int) -> Int {
        if n <= 32 { return 32 }
        let nextPower = 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)
        let chunk = nextPower <= 256 ? 32 : nextPower / 8
        return chunk * ((n - 1) / chunk + 1)
    }

    /// Encrypts `plaintext`. `nonce` is for test vectors only; by default a
    /// fresh 32-byte random nonce is drawn, as reusing one exposes messages.
    public static func encrypt(_ plaintext: String, conversationKey: [UInt8], nonce: [UInt8]? = nil) throws(NIP44Error) -> String
    {
        let nonce = nonce ?? SecureRandom.bytes(32)
        let keys = try messageKeys(conversationKey: conversationKey, nonce: nonce)
        let padded = try pad(plaintext)
        let ciphertext = try chacha20(padded, key: keys.chachaKey, nonce: keys.chachaNonce)
        let mac = hmac(key: keys.hmacKey, aad: nonce, message: ciphertext)
        return Data([version] + nonce + ciphertext + mac).base64EncodedString()
    }

    /// Authenticates, then decrypts a v2 payload. The MAC is checked before
    /// any decryption so forged payloads learn nothing from padding errors.
    public static func decrypt(_ payload: String, conversationKey: [UInt8]) throws(NIP44Error) -> String {
        let (nonce, ciphertext, mac) = try decodePayload(payload)
        let keys = try messageKeys(conversationKey: conversationKey, nonce: nonce)
        let authentic = HMAC<SHA256>.isValidAuthenticationCode(
            mac, authenticating: nonce + ciphertext, using: SymmetricKey(data: keys.hmacKey))
        guard authentic else { throw .invalidMAC }
        return try unpad(try chacha20(ciphertext, key: keys.chachaKey, nonce: keys.chachaNonce))
    }

    /// Encrypts from `sender` to `recipient`.
    public static func encrypt(
        _ plaintext: String, from sender: SecretKey, to recipient: XOnlyPublicKey
    ) throws(NIP44Error) -> String {
        try encrypt(plaintext, conversationKey: conversationKey(sender, recipient))
    }

    /// Decrypts a payload addressed to `recipient` from `sender`.
    public static func decrypt(
        _ payload: String, to recipient: SecretKey, from sender: XOnlyPublicKey
    ) throws(NIP44Error) -> String {
        try decrypt(payload, conversationKey: conversationKey(recipient, sender))
    }

    // MARK: parts

    static func pad(_ plaintext: String) throws(NIP44Error) -> [UInt8] {
        let bytes = Array(plaintext.utf8)
        guard (minPlaintextBytes...maxPlaintextBytes).contains(bytes.count) else { throw .invalidPlaintextLength(bytes.count) }
        let zeros = [UInt8](repeating: 0, count: calcPaddedLength(bytes.count) - bytes.count)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)] + bytes + zeros
    }

    static func unpad(_ padded: [UInt8]) throws(NIP44Error) -> String {
        guard padded.count >= 2 else { throw .invalidPadding }
        let n = Int(padded[0]) << 8 | Int(padded[1])
        guard n >= minPlaintextBytes, padded.count == 2 + calcPaddedLength(n) else { throw .invalidPadding }
        guard let text = String(validating: padded[2..<(2 + n)], as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    static func decodePayload(_ payload: String) throws(NIP44Error) -> (nonce: [UInt8], ciphertext: [UInt8], mac: [UInt8]) {
        // "#" is reserved for a future non-base64 encoding: say "unsupported", not "bad base64".
        if payload.hasPrefix("#") { throw .unsupportedVersion(nil) }
        let chars = payload.utf8.count
        guard payloadCharacters.contains(chars) else { throw .invalidPayloadLength(chars) }
        guard let data = Data(base64Encoded: payload) else { throw .invalidBase64 }
        guard payloadBytes.contains(data.count) else { throw .invalidPayloadLength(chars) }
        let bytes = [UInt8](data)
        guard bytes[0] == version else { throw .unsupportedVersion(bytes[0]) }
        return (Array(bytes[1..<33]), Array(bytes[33..<(bytes.count - 32)]), Array(bytes[(bytes.count - 32)...]))
    }

    static func chacha20(_ data: [UInt8], key: [UInt8], nonce: [UInt8]) throws(NIP44Error) -> [UInt8] {
        do {
            let n = try Insecure.ChaCha20CTR.Nonce(data: nonce)
            return [UInt8](try Insecure.ChaCha20CTR.encrypt(data, using: SymmetricKey(data: key), nonce: n))
        } catch {
            // Only reachable with wrong key or nonce sizes, which messageKeys rules out.
            throw .cipherFailed(String(describing: error))
        }
    }

    static func hmac(key: [UInt8], aad: [UInt8], message: [UInt8]) -> [UInt8] {
        var h = HMAC<SHA256>(key: SymmetricKey(data: key))
        h.update(data: aad)
        h.update(data: message)
        return Array(h.finalize())
    }
}

/// Why a NIP-44 operation failed. Descriptions never include key material or plaintext.
public enum NIP44Error: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedVersion(UInt8?)
    case invalidPayloadLength(Int)
    case invalidBase64
    case invalidMAC
    case invalidPadding
    case invalidUTF8
    case invalidPlaintextLength(Int)
    case invalidConversationKeyLength(Int)
    case invalidNonceLength(Int)
    case cipherFailed(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(nil): "NIP-44 payload uses an encoding this version does not support ('#' prefix)"
        case .unsupportedVersion(let v?): "NIP-44 payload version \(v) is not supported (only 2)"
        case .invalidPayloadLength(let n):
            "NIP-44 payload is \(n) base64 characters; v2 payloads are \(NIP44.payloadCharacters.lowerBound)...\(NIP44.payloadCharacters.upperBound)"
        case .invalidBase64: "NIP-44 payload is not valid padded base64"
        case .invalidMAC: "NIP-44 MAC does not match: wrong keys, or the payload was altered"
        case .invalidPadding: "NIP-44 plaintext padding is malformed"
        case .invalidUTF8: "NIP-44 plaintext is not valid UTF-8"
        case .invalidPlaintextLength(let n):
            "NIP-44 plaintext is \(n) bytes; it must be \(NIP44.minPlaintextBytes)...\(NIP44.maxPlaintextBytes)"
        case .invalidConversationKeyLength(let n): "NIP-44 conversation key must be 32 bytes, got \(n)"
        case .invalidNonceLength(let n): "NIP-44 nonce must be 32 bytes, got \(n)"
        case .cipherFailed(let why): "ChaCha20 failed: \(why)"
        }
    }
}
