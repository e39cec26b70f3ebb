import Crypto
import CryptoExtras
import Foundation
import Secp256k1

/// A BIP-39 mnemonic in the English wordlist: the wallet's backup phrase,
/// from which NUT-13 derives every secret and blinding factor.
public struct Mnemonic: Sendable, Hashable, CustomStringConvertible {
    public let words: [String]

    /// Parses and checks a phrase: 12 to 24 words (a multiple of 3), all in
    /// the English list, with a matching checksum. Case and spacing are
    /// forgiven; anything else is an error naming the position only, since
    /// the words are the secret.
    public init(phrase: String) throws(MnemonicError) {
        let words = phrase.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        guard [12, 15, 18, 21, 24].contains(words.count) else { throw .invalidWordCount(words.count) }
        var bits: [Bool] = []
        for (i, w) in words.enumerated() {
            guard let index = Self.index[w] else { throw .unknownWord(position: i + 1) }
            for shift in stride(from: 10, through: 0, by: -1) { bits.append(index >> shift & 1 == 1) }
        }
        let entropyBits = bits.count * 32 / 33
        let entropy = Self.bytes(Array(bits[..<entropyBits]))
        guard Self.checksumBits(entropy) == Array(bits[entropyBits...]) else { throw .badChecksum }
        self.words = words
    }

    /// The mnemonic for 16, 20, 24, 28 or 32 bytes of entropy.
    public init(entropy: [UInt8]) throws(MnemonicError) {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else { throw .invalidEntropyLength(entropy.count) }
        var bits: [Bool] = []
        for byte in entropy {
            for shift in stride(from: 7, through: 0, by: -1) { bits.append(byte >> UInt8(shift) & 1 == 1) }
        }
        bits += Self.checksumBits(entropy)
        var words: [String] = []
        for start in stride(from: 0, to: bits.count, by: 11) {
            var index = 0
            for bit in bits[start..<start + 11] { index = index << 1 | (bit ? 1 : 0) }
            words.append(BIP39English.words[index])
        }
        self.words = words
    }

    /// A new random mnemonic (12 words by default, 128 bits).
    public static func generate(wordCount: Int = 12) throws(MnemonicError) -> Mnemonic {
        guard [12, 15, 18, 21, 24].contains(wordCount) else { throw .invalidWordCount(wordCount) }
        return try Mnemonic(entropy: SecureRandom.bytes(wordCount * 4 / 3))
    }

    public var phrase: String { words.joined(separator: " ") }

    /// The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, salt
    /// "mnemonic" + passphrase, both NFKD-normalised.
    public func seed(passphrase: String = "") -> [UInt8] {
        let password = Array(phrase.decomposedStringWithCompatibilityMapping.utf8)
        let salt = Array(("mnemonic" + passphrase).decomposedStringWithCompatibilityMapping.utf8)
        // BIP-39 fixes 2048 rounds; swift-crypto's checked API demands far
        // more, so the unchecked one is the only way to match the standard.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha512, outputByteCount: 64, unsafeUncheckedRounds: 2048)
        return key.withUnsafeBytes { Array($0) }
    }

    public var description: String { "Mnemonic(\(words.count) words, <redacted>)" }

    private static let index: [String: Int] = Dictionary(uniqueKeysWithValues: BIP39English.words.enumerated().map { ($1, $0) })

    private static func checksumBits(_ entropy: [UInt8]) -> [Bool] {
        let hash = Array(SHA256.hash(data: entropy))
        return (0..<entropy.count / 4).map { (i: Int) -> Bool in hash[i / 8] >> UInt8(7 - i % 8) & 1 == 1 }
    }

    private static func bytes(_ bits: [Bool]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: bits.count, by: 8) {
            var byte: UInt8 = 0
            for bit in bits[start..<start + 8] { byte = byte << 1 | (bit ? 1 : 0) }
            out.append(byte)
        }
        return out
    }
}

public enum MnemonicError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidWordCount(Int)
    case unknownWord(position: Int)
    case badChecksum
    case invalidEntropyLength(Int)

    public var description: String {
        switch self {
        case .invalidWordCount(let n): "a mnemonic has 12, 15, 18, 21 or 24 words, not \(n)"
        case .unknownWord(let p): "word \(p) of the mnemonic is not in the BIP-39 English wordlist"
        case .badChecksum: "the mnemonic's checksum does not match: a word is wrong or out of order"
        case .invalidEntropyLength(let n): "mnemonic entropy must be 16 to 32 bytes in steps of 4, not \(n)"
        }
    }
}
