import Foundation
import Secp256k1
import Testing

@testable import Cashu

struct TokenV3Tests {
    static let v = Vectors.nut00.token_v3

    static func expected() throws -> Token {
        let part = try #require(v.json.token.first)
        return Token(mint: part.mint, unit: CurrencyUnit(v.json.unit), memo: v.json.memo, proofs: part.proofs)
    }

    @Test func serializesToTheVector() throws {
        #expect(try Self.expected().serializedV3() == Self.v.serialized)
    }

    @Test func decodesTheVector() throws {
        #expect(try Token.decode(Self.v.serialized) == Self.expected())
    }

    @Test(arguments: v.valid)
    func decodesPaddedAndUnpadded(_ text: String) throws {
        let token = try Token.decode(text)
        #expect(token.mint == "https://8333.space:3338")
        #expect(token.proofs.count == 2)
        #expect(try token.amount() == 10)
    }

    @Test(arguments: v.invalid)
    func rejectsBadPrefix(_ bad: NUT00File.Invalid) {
        #expect(throws: TokenError.badPrefix) { try Token.decode(bad.token) }
    }

    @Test func acceptsURIPrefixAndWhitespace() throws {
        #expect(try Token.decode("  cashu:" + Self.v.serialized + "\n") == Self.expected())
    }

    @Test func roundTripsWitnessAndDLEQ() throws {
        var token = try Self.expected()
        token.proofs[0].witness = #"{"signatures":["ab"]}"#
        token.proofs[0].dleq = ProofDLEQ(e: .random(), s: .random(), r: .random())
        #expect(try Token.decode(token.serializedV3()) == token)
    }
}

struct TokenV4Tests {
    @Test(arguments: Vectors.nut00.token_v4)
    func decodesTheVector(_ v: NUT00File.V4) throws {
        #expect(try Token.decode(v.serialized) == v.token.token())
    }

    @Test(arguments: Vectors.nut00.token_v4)
    func serializesToTheVector(_ v: NUT00File.V4) throws {
        // The two vectors disagree on padding; padding is optional, so compare without it.
        let ours = try v.token.token().serializedV4()
        #expect(ours == v.serialized.replacingOccurrences(of: "=", with: ""))
    }

    @Test func rawBinaryForm() throws {
        let raw = Vectors.nut00.token_v4_raw
        let token = try raw.token.token()
        #expect(try Hex.encode(token.rawV4()) == raw.raw)
        #expect(try Token.decode(raw: [UInt8](hex: raw.raw)) == token)
        #expect(throws: TokenError.badPrefix) { try Token.decode(raw: Array("crawA".utf8)) }
    }

    @Test func roundTripsWitnessDLEQAndShortIDs() throws {
        let full = KeysetID.deriveV2(keys: [1: Scalar.random().publicKey], unit: .sat)
        let output = BlindingData.random(amount: 4, keysetID: full)
        var proof = Proof(amount: 4, id: full, secret: output.secret, C: Scalar.random().publicKey)
        proof.witness = #"{"signatures":["00"]}"#
        proof.dleq = ProofDLEQ(e: .random(), s: .random(), r: output.r)
        let token = Token(mint: "https://mint.example/", unit: .sat, memo: "thanks", proofs: [proof])
        #expect(token.mint == "https://mint.example")
        #expect(try Token.decode(token.serializedV4()) == token)

        let short = try Token.decode(token.serializedV4(shortKeysetIDs: true))
        #expect(short.proofs[0].id == full.short)
        #expect(short.proofs[0].id.isShort)
        #expect(try short.resolvingKeysetIDs(among: [full]) == token)
    }
}

/// Every way a token is refused, each with its own error.
struct TokenRejectionTests {
    static let mint = "http://localhost:3338"
    static let id = try! KeysetID(hex: "00ad268c4d1f5826")
    static let C = try! PublicKey(hex: "038618543ffb6b8695df4ad4babcde92a34a96bdcd97dcee0d7ccf98d472126792")

    static func proofCBOR(_ a: UInt64 = 1, _ s: String = "secret") -> CBOR {
        .map([.init("a", .unsigned(a)), .init("s", .text(s)), .init("c", .bytes(C.compressed))])
    }

    static func v4(_ entries: [CBOR.Entry]) -> String { "cashuB" + Base64URL.encode(CBOR.map(entries).encoded()) }

    static func v4(proofs: [CBOR], unit: String = "sat") -> String {
        v4([
            .init("t", .array([.map([.init("i", .bytes(id.bytes)), .init("p", .array(proofs))])])),
            .init("m", .text(mint)), .init("u", .text(unit)),
        ])
    }

    static func v3(_ json: String) -> String { "cashuA" + Base64URL.encode(Array(json.utf8)) }

    @Test func unsupportedVersion() {
        #expect(throws: TokenError.unsupportedVersion("C")) { try Token.decode("cashuCabc") }
        #expect(throws: TokenError.badPrefix) { try Token.decode("cashu") }
        #expect(throws: TokenError.badPrefix) { try Token.decode("") }
    }

    @Test func badBase64() {
        #expect(throws: TokenError.badBase64) { try Token.decode("cashuA!!!!") }
        #expect(throws: TokenError.badBase64) { try Token.decode("cashuBa") }
    }

    @Test func badJSON() {
        #expect { try Token.decode(Self.v3("{not json")) } throws: {
            ($0 as? TokenError).map { if case .badJSON = $0 { true } else { false } } ?? false
        }
        #expect { try Token.decode(Self.v3(#"{"token":[{"mint":"m","proofs":[{"amount":"1"}]}]}"#)) } throws: {
            ($0 as? TokenError).map { if case .badJSON = $0 { true } else { false } } ?? false
        }
    }

    @Test func badCBOR() {
        #expect(throws: TokenError.badCBOR(CBORError.truncated.description)) {
            try Token.decode("cashuB" + Base64URL.encode([0xa3, 0x61]))
        }
        #expect(throws: TokenError.badCBOR("top level is not a map")) { try Token.decode("cashuB" + Base64URL.encode([0x01])) }
    }

    @Test func missingFields() {
        #expect(throws: TokenError.missingField("token")) { try Token.decode(Self.v3(#"{"unit":"sat"}"#)) }
        #expect(throws: TokenError.missingField("mint")) { try Token.decode(Self.v3(#"{"token":[{"proofs":[]}]}"#)) }
        #expect(throws: TokenError.missingField("secret")) {
            try Token.decode(
                Self.v3(#"{"token":[{"mint":"m","proofs":[{"amount":1,"id":"00ad268c4d1f5826","C":"\#(Self.C.hex)"}]}]}"#))
        }
        #expect(throws: TokenError.missingField("m")) {
            try Token.decode(Self.v4([.init("u", .text("sat")), .init("t", .array([]))]))
        }
        #expect(throws: TokenError.missingField("u")) {
            try Token.decode(Self.v4([.init("m", .text("x")), .init("t", .array([]))]))
        }
        #expect(throws: TokenError.missingField("t")) {
            try Token.decode(Self.v4([.init("m", .text("x")), .init("u", .text("sat"))]))
        }
        #expect(throws: TokenError.missingField("c")) {
            try Token.decode(Self.v4(proofs: [.map([.init("a", .unsigned(1)), .init("s", .text("x"))])]))
        }
    }

    @Test func invalidFields() {
        #expect {
            try Token.decode(
                Self.v4(proofs: [.map([.init("a", .text("1")), .init("s", .text("x")), .init("c", .bytes(Self.C.compressed))])]))
        } throws: { ($0 as? TokenError).map { if case .invalidField("a", _) = $0 { true } else { false } } ?? false }
        #expect {
            try Token.decode(
                Self.v4(proofs: [.map([.init("a", .unsigned(1)), .init("s", .text("x")), .init("c", .bytes([2, 3]))])]))
        } throws: { ($0 as? TokenError).map { if case .invalidField("c", _) = $0 { true } else { false } } ?? false }
        #expect(throws: TokenError.invalidField("amount", reason: "a proof of amount 0")) {
            try Token.decode(Self.v4(proofs: [Self.proofCBOR(0)]))
        }
    }

    @Test func emptyProofs() {
        #expect(throws: TokenError.emptyProofs) { try Token.decode(Self.v4(proofs: [])) }
        #expect(throws: TokenError.emptyProofs) { try Token.decode(Self.v3(#"{"token":[{"mint":"m","proofs":[]}]}"#)) }
    }

    @Test func unsupportedUnit() throws {
        #expect(throws: TokenError.unsupportedUnit("SAT!")) {
            try Token.decode(Self.v4(proofs: [Self.proofCBOR()], unit: "SAT!"))
        }
        #expect(throws: TokenError.unsupportedUnit("usd")) {
            try Token.decode(Self.v4(proofs: [Self.proofCBOR()], unit: "usd"), acceptedUnits: [.sat])
        }
        #expect(try Token.decode(Self.v4(proofs: [Self.proofCBOR()]), acceptedUnits: [.sat]).unit == .sat)
    }

    @Test func duplicateSecrets() {
        #expect(throws: TokenError.duplicateSecrets) {
            try Token.decode(Self.v4(proofs: [Self.proofCBOR(1, "a"), Self.proofCBOR(2, "a")]))
        }
    }

    @Test func amountOverflow() {
        #expect(throws: TokenError.amountOverflow) {
            try Token.decode(Self.v4(proofs: [Self.proofCBOR(UInt64.max, "a"), Self.proofCBOR(1, "b")]))
        }
    }

    @Test func multipleMints() {
        let p = #"{"amount":1,"id":"00ad268c4d1f5826","secret":"s","C":"\#(Self.C.hex)"}"#
        #expect(throws: TokenError.multipleMints) {
            try Token.decode(Self.v3(#"{"token":[{"mint":"https://a","proofs":[\#(p)]},{"mint":"https://b","proofs":[\#(p)]}]}"#))
        }
    }

    @Test func shortIDResolution() throws {
        let a = KeysetID.deriveV2(keys: [1: Scalar.random().publicKey], unit: .sat)
        let twin = try KeysetID(bytes: a.short.bytes + [UInt8](repeating: 0xee, count: 25))
        let token = Token(mint: Self.mint, unit: .sat, proofs: [Proof(amount: 1, id: a.short, secret: "x", C: Self.C)])
        #expect(throws: TokenError.unknownKeyset(a.short)) { try token.resolvingKeysetIDs(among: []) }
        #expect(throws: TokenError.ambiguousKeyset(a.short)) { try token.resolvingKeysetIDs(among: [a, twin]) }
        #expect(try token.resolvingKeysetIDs(among: [a]).proofs[0].id == a)
    }
}
