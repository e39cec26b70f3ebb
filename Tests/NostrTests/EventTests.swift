import Foundation
import Secp256k1
import Testing

@testable import Nostr

struct EventTests {
    let key = try! SecretKey(hex: "0000000000000000000000000000000000000000000000000000000000000003")
    let pub = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"

    func canonical(_ content: String, tags: [[String]] = []) -> String {
        String(decoding: Event.serialize(pubkey: pub, createdAt: 1, kind: 1, tags: tags, content: content), as: UTF8.self)
    }

    @Test func serializationHasNoWhitespaceAndFieldOrder() {
        #expect(canonical("hi") == #"[0,"\#(pub)",1,1,[],"hi"]"#)
        #expect(canonical("", tags: [["e", "abc"], ["p"]]) == #"[0,"\#(pub)",1,1,[["e","abc"],["p"]],""]"#)
        #expect(canonical("", tags: [[]]) == #"[0,"\#(pub)",1,1,[[]],""]"#)
    }

    @Test func serializationEscapesOnlyWhatNIP01Lists() {
        // The seven escapes of NIP-01.
        #expect(canonical("a\nb\"c\\d\re\tf\u{08}g\u{0C}h") == #"[0,"\#(pub)",1,1,[],"a\nb\"c\\d\re\tf\bg\fh"]"#)
        // Slash, other control characters and non-ASCII are written raw.
        #expect(canonical("/</script>") == #"[0,"\#(pub)",1,1,[],"/</script>"]"#)
        #expect(canonical("\u{01}\u{1F}") == "[0,\"\(pub)\",1,1,[],\"\u{01}\u{1F}\"]")
        #expect(canonical("héllo ✓ 🤙 日本") == #"[0,"\#(pub)",1,1,[],"héllo ✓ 🤙 日本"]"#)
        #expect(Array(canonical("é").utf8).contains(0xc3), "UTF-8 bytes, not \\u escapes")
    }

    @Test func signedEventVerifiesAndRoundTripsThroughJSON() throws {
        let e = try Event.sign(
            kind: 1, content: "hello \"nostr\"\n\u{01}✓", tags: [["t", "loom"]], createdAt: 1_700_000_000, with: key)
        try e.verify()
        #expect(e.pubkey == pub)
        let back = try Event(json: e.json)
        #expect(back == e)
        try back.verify()
        // Our JSON is valid for strict parsers too.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(e.jsonBytes)) }
    }

    @Test func tamperingIsReportedWithItsReason() throws {
        let e = try Event.sign(kind: 1, content: "original", createdAt: 1_700_000_000, with: key)
        let changedContent = Event(
            id: e.id, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: "changed", sig: e.sig)
        #expect(throws: EventError.self) { try changedContent.verify() }
        if case .idMismatch = try #require(capture { try changedContent.verify() }) {
        } else {
            Issue.record("expected idMismatch")
        }

        var sig = Array(e.sig)
        sig[10] = sig[10] == "0" ? "1" : "0"
        let badSig = Event(
            id: e.id, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: e.content, sig: String(sig))
        #expect(capture { try badSig.verify() } == .badSignature)

        let other = SecretKey.generate().xOnlyPublicKey.hex
        let wrongKey = Event(
            id: e.id, pubkey: other, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig)
        if case .idMismatch = try #require(capture { try wrongKey.verify() }) {} else { Issue.record("expected idMismatch") }

        let shortID = Event(
            id: "abcd", pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig)
        #expect(capture { try shortID.verify() } == .malformedID)
        let badPub = Event(
            id: e.id, pubkey: String(repeating: "f", count: 64), createdAt: e.createdAt, kind: e.kind, tags: e.tags,
            content: e.content, sig: e.sig)
        #expect(capture { try badPub.verify() } == .invalidPublicKey)
        let shortSig = Event(
            id: e.id, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: e.content, sig: "00")
        #expect(capture { try shortSig.verify() } == .malformedSignature)
    }

    /// NIP-01: id, pubkey and sig are lower-case hex. An upper-cased id
    /// hashes to the same bytes, but ids are compared as strings everywhere
    /// (dedupe, journals, `e` and `d` tags), so the copy must not verify.
    @Test func upperCaseHexIsRefusedWithItsOwnReason() throws {
        let e = try Event.sign(kind: 1, content: "lower case only", createdAt: 1_700_000_000, with: key)
        let upperID = Event(
            id: e.id.uppercased(), pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags,
            content: e.content, sig: e.sig)
        #expect(capture { try upperID.verify() } == .notLowerCaseHex(field: "id"))
        // One letter is enough.
        let firstLetter = e.id.firstIndex(where: \.isLetter)
        let letter = try #require(firstLetter)
        var mixed = e.id
        mixed.replaceSubrange(letter...letter, with: e.id[letter].uppercased())
        let oneLetter = Event(
            id: mixed, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags,
            content: e.content, sig: e.sig)
        #expect(capture { try oneLetter.verify() } == .notLowerCaseHex(field: "id"))
        let upperSig = Event(
            id: e.id, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind, tags: e.tags, content: e.content,
            sig: e.sig.uppercased())
        #expect(capture { try upperSig.verify() } == .notLowerCaseHex(field: "sig"))
        // An upper-case pubkey signed over as written: the id and signature are
        // right for those bytes, yet the key is not how NIP-01 spells it.
        let upperPub = pub.uppercased()
        let id = Event.computeID(pubkey: upperPub, createdAt: 1, kind: 1, tags: [], content: "x")
        let signedUpper = Event(
            id: Hex.encode(id), pubkey: upperPub, createdAt: 1, kind: 1, tags: [], content: "x",
            sig: Hex.encode(try key.signSchnorr(message: id)))
        #expect(capture { try signedUpper.verify() } == .notLowerCaseHex(field: "pubkey"))
        #expect(!upperID.isValid && !upperSig.isValid && !signedUpper.isValid)
        #expect(EventError.notLowerCaseHex(field: "id").description.contains("lower-case"))
        try e.verify()
    }

    @Test func controlCharactersSignedVerbatimAndAcceptedEscaped() throws {
        let content = "bell\u{07} nul\u{00}"
        let signed = try Event.sign(kind: 1, content: content, createdAt: 5, with: key)
        try signed.verify()
        #expect(try Hex.decode(signed.id) == Event.computeID(pubkey: pub, createdAt: 5, kind: 1, tags: [], content: content))
        // An event signed by a JSON.stringify-style serializer (\u0007) verifies too.
        let idEscaped = Event.computeID(pubkey: pub, createdAt: 5, kind: 1, tags: [], content: content, escapingControls: true)
        #expect(idEscaped != (try Hex.decode(signed.id)))
        let other = Event(
            id: Hex.encode(idEscaped), pubkey: pub, createdAt: 5, kind: 1, tags: [], content: content,
            sig: Hex.encode(try key.signSchnorr(message: idEscaped)))
        try other.verify()
        // Without an unlisted control character there is only one valid id.
        let plainEscaped = Event.computeID(pubkey: pub, createdAt: 5, kind: 1, tags: [], content: "tab\t", escapingControls: true)
        #expect(plainEscaped == Event.computeID(pubkey: pub, createdAt: 5, kind: 1, tags: [], content: "tab\t"))
    }

    @Test func malformedJSONIsAnError() {
        #expect(throws: EventError.self) { try Event(json: "{}") }
        #expect(throws: EventError.self) { try Event(json: "not json") }
        #expect(throws: EventError.self) {
            try Event(json: #"{"id":"","pubkey":"","created_at":"x","kind":1,"tags":[],"content":"","sig":""}"#)
        }
    }

    @Test func kindOutOfRangeIsRefused() {
        #expect(throws: EventError.invalidKind(70000)) { try Event.sign(kind: 70000, content: "", with: key) }
    }

    @Test func filterMatchingAndWireForm() throws {
        let e = try Event.sign(kind: 5100, content: "", tags: [["p", pub], ["e", "aa"]], createdAt: 100, with: key)
        #expect(Filter(kinds: [5100], tags: ["p": [pub]]).matches(e))
        #expect(!Filter(kinds: [1]).matches(e))
        #expect(!Filter(tags: ["p": ["nobody"]]).matches(e))
        #expect(!Filter(since: 101).matches(e))
        #expect(!Filter(until: 99).matches(e))
        #expect(Filter(authors: [pub], since: 100, until: 100).matches(e))
        let json = String(decoding: try JSONEncoder().encode(Filter(kinds: [1], tags: ["e": ["x"]], limit: 5)), as: UTF8.self)
        #expect(json.contains(##""#e":["x"]"##))
        let back = try JSONDecoder().decode(Filter.self, from: Data(json.utf8))
        #expect(back == Filter(kinds: [1], tags: ["e": ["x"]], limit: 5))
        #expect(Filter(since: 50).resumed(since: 80).since == 80)
        #expect(Filter(since: 90).resumed(since: 80).since == 90)
    }
}

/// The error a throwing closure raises, for precise assertions.
func capture(_ body: () throws -> Void) -> EventError? {
    do { try body(); return nil } catch let e as EventError { return e } catch { return nil }
}
