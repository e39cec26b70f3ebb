import Foundation
import Secp256k1
import Testing

@testable import Nostr

/// One test per way a NIP-19 string is refused, each with its specific error.
struct NIP19RejectionTests {
    let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
    let pub = try! XOnlyPublicKey(hex: "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e")

    func tlv(_ records: [(UInt8, [UInt8])]) -> [UInt8] { records.flatMap { [$0.0, UInt8($0.1.count)] + $0.1 } }
    func kind(_ k: UInt32) -> [UInt8] { [UInt8(k >> 24), UInt8(k >> 16 & 0xff), UInt8(k >> 8 & 0xff), UInt8(k & 0xff)] }

    @Test func badChecksum() {
        var s = Array(npub)
        s[10] = s[10] == "q" ? "p" : "q"
        #expect(throws: NIP19Error.badChecksum) { try NIP19Entity.decode(String(s)) }
    }

    @Test func bech32mChecksumIsNotBech32() {
        // The same data with bech32m's constant fails the bech32 check.
        let words = Bech32.regroup(pub.bytes, from: 8, to: 5, pad: true)!
        let hrp = Array("npub".utf8)
        let mod = Bech32.polymod(Bech32.expandHRP(hrp) + words + [0, 0, 0, 0, 0, 0]) ^ 0x2bc8_30a3
        let sum = (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
        let s = "npub1" + String(decoding: (words + sum).map { Bech32.charset[Int($0)] }, as: UTF8.self)
        #expect(throws: NIP19Error.badChecksum) { try NIP19Entity.decode(s) }
    }

    @Test func mixedCase() {
        #expect(throws: NIP19Error.mixedCase) { try NIP19Entity.decode("N" + npub.dropFirst()) }
    }

    @Test func invalidCharacter() {
        #expect(throws: NIP19Error.invalidCharacter("b")) {
            try NIP19Entity.decode(npub.replacingOccurrences(of: "z", with: "b"))
        }
        #expect(throws: NIP19Error.invalidCharacter(" ")) { try NIP19Entity.decode("npub1 " + npub.dropFirst(6)) }
        #expect(throws: NIP19Error.invalidCharacter("é")) { try NIP19Entity.decode("npub1é" + npub.dropFirst(6)) }
    }

    @Test func missingSeparatorAndTooShort() {
        #expect(throws: NIP19Error.missingSeparator) { try NIP19Entity.decode("npubqqqqqqqq") }
        #expect(throws: NIP19Error.missingSeparator) { try NIP19Entity.decode("1qqqqqqqq") }
        #expect(throws: NIP19Error.tooShort) { try NIP19Entity.decode("npub1qqqq") }
    }

    @Test func tooLong() {
        let s = "nprofile1" + String(repeating: "q", count: 5000)
        #expect(throws: NIP19Error.tooLong(5009, limit: 5000)) { try NIP19Entity.decode(s) }
    }

    @Test func invalidPadding() {
        // 32 bytes fill 52 words with 4 bits to spare; those must be zero.
        var words = Bech32.regroup(pub.bytes, from: 8, to: 5, pad: true)!
        words[51] |= 1
        let hrp = Array("npub".utf8)
        let mod = Bech32.polymod(Bech32.expandHRP(hrp) + words + [0, 0, 0, 0, 0, 0]) ^ 1
        let sum = (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
        let s = "npub1" + String(decoding: (words + sum).map { Bech32.charset[Int($0)] }, as: UTF8.self)
        #expect(throws: NIP19Error.invalidPadding) { try NIP19Entity.decode(s) }
    }

    @Test func unknownPrefix() {
        #expect(throws: NIP19Error.unknownPrefix("nrelay")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nrelay", data: [1, 1, 0x61]))
        }
    }

    @Test func nsecInURI() {
        #expect(throws: NIP19Error.secretKeyInURI) { try NIP19Entity.decode("nostr:" + SecretKey.generate().nsec) }
    }

    @Test func wrongLengthBareEntities() {
        #expect(throws: NIP19Error.wrongLength(prefix: "npub", field: "public key", expected: 32, got: 31)) {
            try NIP19Entity.decode(Bech32.encode(hrp: "npub", data: Array(pub.bytes.prefix(31))))
        }
        #expect(throws: NIP19Error.wrongLength(prefix: "note", field: "event id", expected: 32, got: 33)) {
            try NIP19Entity.decode(Bech32.encode(hrp: "note", data: pub.bytes + [0]))
        }
    }

    @Test func invalidKeys() {
        let notOnCurve = [UInt8](repeating: 0, count: 32)
        #expect(throws: NIP19Error.invalidPublicKey(prefix: "npub")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "npub", data: notOnCurve))
        }
        #expect(throws: NIP19Error.invalidSecretKey) { try NIP19Entity.decode(Bech32.encode(hrp: "nsec", data: notOnCurve)) }
        let order = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        #expect(throws: NIP19Error.invalidSecretKey) { try NIP19Entity.decode(Bech32.encode(hrp: "nsec", data: order)) }
        #expect(throws: NIP19Error.invalidPublicKey(prefix: "nprofile")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nprofile", data: tlv([(0, notOnCurve)])))
        }
    }

    @Test func truncatedTLV() {
        #expect(throws: NIP19Error.truncatedTLV(prefix: "nprofile")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nprofile", data: Array(tlv([(0, pub.bytes)]).dropLast())))
        }
        #expect(throws: NIP19Error.truncatedTLV(prefix: "nevent")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nevent", data: tlv([(0, pub.bytes)]) + [1]))
        }
    }

    @Test func missingRequiredTLV() {
        #expect(throws: NIP19Error.missingTLV(prefix: "nprofile", field: "public key (type 0)")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nprofile", data: tlv([(1, Array("wss://r".utf8))])))
        }
        #expect(throws: NIP19Error.missingTLV(prefix: "nevent", field: "event id (type 0)")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nevent", data: tlv([(2, pub.bytes)])))
        }
        #expect(throws: NIP19Error.missingTLV(prefix: "naddr", field: "identifier (type 0)")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "naddr", data: tlv([(2, pub.bytes), (3, kind(30000))])))
        }
        #expect(throws: NIP19Error.missingTLV(prefix: "naddr", field: "author (type 2)")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "naddr", data: tlv([(0, Array("x".utf8)), (3, kind(30000))])))
        }
        #expect(throws: NIP19Error.missingTLV(prefix: "naddr", field: "kind (type 3)")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "naddr", data: tlv([(0, Array("x".utf8)), (2, pub.bytes)])))
        }
    }

    @Test func wrongTLVLengths() {
        #expect(throws: NIP19Error.wrongLength(prefix: "nevent", field: "event id", expected: 32, got: 20)) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nevent", data: tlv([(0, [UInt8](repeating: 1, count: 20))])))
        }
        #expect(throws: NIP19Error.wrongLength(prefix: "nevent", field: "kind", expected: 4, got: 2)) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nevent", data: tlv([(0, pub.bytes), (3, [0, 1])])))
        }
        #expect(throws: NIP19Error.wrongLength(prefix: "naddr", field: "author", expected: 32, got: 33)) {
            try NIP19Entity.decode(Bech32.encode(hrp: "naddr", data: tlv([(0, []), (2, pub.bytes + [0]), (3, kind(1))])))
        }
    }

    @Test func invalidUTF8() {
        #expect(throws: NIP19Error.invalidUTF8(prefix: "nprofile", field: "relay")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "nprofile", data: tlv([(0, pub.bytes), (1, [0xff, 0xfe])])))
        }
        #expect(throws: NIP19Error.invalidUTF8(prefix: "naddr", field: "identifier")) {
            try NIP19Entity.decode(Bech32.encode(hrp: "naddr", data: tlv([(0, [0xc3]), (2, pub.bytes), (3, kind(1))])))
        }
    }

    @Test func encodingRefusesWhatTLVCannotHold() {
        #expect(throws: NIP19Error.valueTooLong(field: "identifier", bytes: 256)) {
            try NIP19Entity.naddr(identifier: String(repeating: "x", count: 256), pubkey: pub, kind: 30000, relays: []).encode()
        }
        #expect(throws: NIP19Error.valueTooLong(field: "relay", bytes: 300)) {
            try NIP19Entity.nprofile(pubkey: pub, relays: [String(repeating: "r", count: 300)]).encode()
        }
        #expect(throws: NIP19Error.kindOutOfRange(-1)) {
            try NIP19Entity.naddr(identifier: "", pubkey: pub, kind: -1, relays: []).encode()
        }
    }

    @Test func descriptionsNameTheProblem() {
        #expect(NIP19Error.badChecksum.description.contains("checksum"))
        #expect(
            NIP19Error.missingTLV(prefix: "naddr", field: "kind (type 3)").description
                == "naddr lacks its required kind (type 3) record")
        #expect(NIP19Error.invalidCharacter("\u{07}").description.contains("unprintable"))
    }
}
