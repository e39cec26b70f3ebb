import Crypto
import Foundation
import Secp256k1
import Testing

@testable import Nostr

/// Every v2 vector of paulmillr/nip44 `nip44.vectors.json`, the file whose
/// sha256 NIP-44 publishes (checked below, so a stale copy cannot pass).
struct NIP44Tests {
    struct File: Decodable { let v2: V2 }
    struct V2: Decodable { let valid: Valid; let invalid: Invalid }
    struct Valid: Decodable {
        let get_conversation_key: [ConversationKey]
        let get_message_keys: MessageKeys
        let calc_padded_len: [[Int]]
        let encrypt_decrypt: [EncryptDecrypt]
        let encrypt_decrypt_long_msg: [LongMessage]
    }
    struct Invalid: Decodable {
        let encrypt_msg_lengths: [Int]
        let get_conversation_key: [BadKeys]
        let decrypt: [BadPayload]
    }
    struct ConversationKey: Decodable { let sec1, pub2, conversation_key: String }
    struct MessageKeys: Decodable {
        struct Keys: Decodable { let nonce, chacha_key, chacha_nonce, hmac_key: String }
        let conversation_key: String
        let keys: [Keys]
    }
    struct EncryptDecrypt: Decodable { let sec1, sec2, conversation_key, nonce, plaintext, payload: String }
    struct LongMessage: Decodable {
        let conversation_key, nonce, pattern, plaintext_sha256, payload_sha256: String
        let `repeat`: Int
    }
    struct BadKeys: Decodable { let sec1, pub2, note: String }
    struct BadPayload: Decodable { let conversation_key, nonce, plaintext, payload, note: String }

    static let url = Bundle.module.url(forResource: "Vectors/nip44.vectors", withExtension: "json")!
    static let vectors = try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).v2

    func hex(_ s: String) -> [UInt8] { try! Hex.decode(s) }
    func sha256(_ s: String) -> String { Hex.encode(SHA256.hash(data: Array(s.utf8))) }

    @Test func vectorFileIsTheOnePinnedByTheNIP() throws {
        let data = try Data(contentsOf: Self.url)
        #expect(Hex.encode(SHA256.hash(data: data)) == "269ed0f69e4c192512cc779e78c555090cebc7c785b609e338a62afc3ce25040")
    }

    @Test func conversationKeys() throws {
        #expect(Self.vectors.valid.get_conversation_key.count == 35)
        for v in Self.vectors.valid.get_conversation_key {
            let key = NIP44.conversationKey(try SecretKey(hex: v.sec1), try XOnlyPublicKey(hex: v.pub2))
            #expect(Hex.encode(key) == v.conversation_key, "sec1 \(v.sec1)")
        }
    }

    @Test func messageKeys() throws {
        let mk = Self.vectors.valid.get_message_keys
        #expect(mk.keys.count == 32)
        for v in mk.keys {
            let k = try NIP44.messageKeys(conversationKey: hex(mk.conversation_key), nonce: hex(v.nonce))
            #expect(Hex.encode(k.chachaKey) == v.chacha_key)
            #expect(Hex.encode(k.chachaNonce) == v.chacha_nonce)
            #expect(Hex.encode(k.hmacKey) == v.hmac_key)
        }
    }

    @Test func paddedLengths() {
        #expect(Self.vectors.valid.calc_padded_len.count == 24)
        for pair in Self.vectors.valid.calc_padded_len {
            #expect(NIP44.calcPaddedLength(pair[0]) == pair[1], "unpadded \(pair[0])")
        }
    }

    @Test func encryptDecrypt() throws {
        #expect(Self.vectors.valid.encrypt_decrypt.count == 10)
        for v in Self.vectors.valid.encrypt_decrypt {
            let sec1 = try SecretKey(hex: v.sec1), sec2 = try SecretKey(hex: v.sec2)
            // Both directions of the conversation agree on one key.
            let key = NIP44.conversationKey(sec1, sec2.xOnlyPublicKey)
            #expect(Hex.encode(key) == v.conversation_key)
            #expect(NIP44.conversationKey(sec2, sec1.xOnlyPublicKey) == key)
            let payload = try NIP44.encrypt(v.plaintext, conversationKey: key, nonce: hex(v.nonce))
            #expect(payload == v.payload)
            #expect(try NIP44.decrypt(v.payload, conversationKey: key) == v.plaintext)
            #expect(try NIP44.decrypt(v.payload, to: sec2, from: sec1.xOnlyPublicKey) == v.plaintext)
        }
    }

    @Test func encryptDecryptLongMessages() throws {
        #expect(Self.vectors.valid.encrypt_decrypt_long_msg.count == 3)
        for v in Self.vectors.valid.encrypt_decrypt_long_msg {
            let plaintext = String(repeating: v.pattern, count: v.repeat)
            #expect(sha256(plaintext) == v.plaintext_sha256)
            let payload = try NIP44.encrypt(plaintext, conversationKey: hex(v.conversation_key), nonce: hex(v.nonce))
            #expect(sha256(payload) == v.payload_sha256)
            #expect(try NIP44.decrypt(payload, conversationKey: hex(v.conversation_key)) == plaintext)
        }
    }

    @Test func refusesPlaintextLengths() {
        let lengths = Self.vectors.invalid.encrypt_msg_lengths
        #expect(lengths.count == 4)
        let key = [UInt8](repeating: 1, count: 32)
        for n in lengths {
            #expect(throws: NIP44Error.invalidPlaintextLength(n)) {
                try NIP44.encrypt(String(repeating: "a", count: n), conversationKey: key)
            }
        }
    }

    @Test func refusesInvalidConversationKeyInputs() {
        // Typed keys make these unrepresentable: the error comes from parsing
        // the secret or public key, before any ECDH.
        #expect(Self.vectors.invalid.get_conversation_key.count == 8)
        for v in Self.vectors.invalid.get_conversation_key {
            let parsed = Result { (try SecretKey(hex: v.sec1), try XOnlyPublicKey(hex: v.pub2)) }
            #expect(throws: Secp256k1Error.self, "\(v.note)") { try parsed.get() }
        }
    }

    @Test func refusesInvalidPayloads() {
        let cases = Self.vectors.invalid.decrypt
        #expect(cases.count == 12)
        // The specific error each vector's note names.
        let expected: [String: (NIP44Error) -> Bool] = [
            "unknown encryption version": { $0 == .unsupportedVersion(nil) },
            "unknown encryption version 0": { $0 == .unsupportedVersion(0) },
            "invalid base64": { $0 == .invalidBase64 },
            "invalid MAC": { $0 == .invalidMAC },
            "invalid padding": { $0 == .invalidPadding },
        ]
        for v in cases {
            do {
                _ = try NIP44.decrypt(v.payload, conversationKey: hex(v.conversation_key))
                Issue.record("decrypted an invalid payload: \(v.note)")
            } catch {
                let check = expected[v.note] ?? { if case .invalidPayloadLength = $0 { true } else { false } }
                #expect(check(error), "\(v.note): got \(error)")
            }
        }
    }
}
