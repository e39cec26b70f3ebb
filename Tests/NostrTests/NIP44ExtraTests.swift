import Foundation
import Secp256k1
import Testing

@testable import Nostr

/// Behaviour beyond the vectors: randomness, key helpers, tampering.
struct NIP44ExtraTests {
    let alice = SecretKey.generate(), bob = SecretKey.generate()

    @Test func freshNonceEveryMessage() throws {
        let a = try NIP44.encrypt("same", from: alice, to: bob.xOnlyPublicKey)
        let b = try NIP44.encrypt("same", from: alice, to: bob.xOnlyPublicKey)
        #expect(a != b)
        #expect(try NIP44.decrypt(a, to: bob, from: alice.xOnlyPublicKey) == "same")
    }

    @Test func outsiderCannotDecrypt() throws {
        let payload = try NIP44.encrypt("secret", from: alice, to: bob.xOnlyPublicKey)
        let eve = SecretKey.generate()
        #expect(throws: NIP44Error.invalidMAC) { try NIP44.decrypt(payload, to: eve, from: alice.xOnlyPublicKey) }
    }

    @Test func everyFlippedByteIsCaught() throws {
        let key = NIP44.conversationKey(alice, bob.xOnlyPublicKey)
        let payload = try NIP44.encrypt("tamper with me", conversationKey: key)
        var bytes = [UInt8](Data(base64Encoded: payload)!)
        for i in stride(from: 1, to: bytes.count, by: 7) {
            bytes[i] ^= 0x01
            let forged = Data(bytes).base64EncodedString()
            #expect(throws: NIP44Error.invalidMAC) { try NIP44.decrypt(forged, conversationKey: key) }
            bytes[i] ^= 0x01
        }
    }

    @Test func boundariesOfPlaintextLength() throws {
        let key = NIP44.conversationKey(alice, bob.xOnlyPublicKey)
        let max = String(repeating: "z", count: NIP44.maxPlaintextBytes)
        #expect(try NIP44.decrypt(NIP44.encrypt(max, conversationKey: key), conversationKey: key) == max)
        #expect(throws: NIP44Error.invalidPlaintextLength(0)) { try NIP44.encrypt("", conversationKey: key) }
    }

    @Test func wrongSizedKeysAndNonces() {
        #expect(throws: NIP44Error.invalidConversationKeyLength(31)) {
            try NIP44.encrypt("x", conversationKey: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: NIP44Error.invalidNonceLength(12)) {
            try NIP44.encrypt("x", conversationKey: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        }
    }

    @Test func errorDescriptionsAreSpecific() {
        #expect(NIP44Error.unsupportedVersion(nil).description.contains("#"))
        #expect(NIP44Error.unsupportedVersion(1).description.contains("version 1"))
        #expect(NIP44Error.invalidMAC.description.contains("MAC"))
    }
}
