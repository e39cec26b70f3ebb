import Secp256k1
import Testing

@testable import Nostr

struct NIP40Tests {
    let key = SecretKey.generate()

    func event(_ tags: [[String]]) throws -> Event {
        try Event.sign(kind: 1, content: "", tags: tags, createdAt: 1_000, with: key)
    }

    @Test func noTagNeverExpires() throws {
        let e = try event([["t", "x"]])
        #expect(try e.expiration == nil)
        #expect(!e.isExpired(now: .max))
    }

    @Test func expiresAtTheStatedSecond() throws {
        let e = try event([NIP40.tag(expiresAt: 1_600_000_000)])
        #expect(e.tags == [["expiration", "1600000000"]])
        #expect(try e.expiration == 1_600_000_000)
        #expect(!e.isExpired(now: 1_599_999_999))
        #expect(e.isExpired(now: 1_600_000_000))
        #expect(e.isExpired(now: 1_600_000_001))
    }

    @Test func earliestOfSeveralTagsCounts() throws {
        let e = try event([NIP40.tag(expiresAt: 2_000), NIP40.tag(expiresAt: 1_500)])
        #expect(try e.expiration == 1_500)
    }

    @Test(arguments: ["", "soon", "-5", "+5", " 5", "5 ", "1.5", "1e9", "99999999999999999999", "٣"])
    func malformedValueCountsAsExpired(_ value: String) throws {
        let e = try event([["expiration", value]])
        #expect(throws: NIP40Error.malformed(value)) { try e.expiration }
        #expect(e.isExpired(now: 0))
    }

    @Test func tagWithoutValueCountsAsExpired() throws {
        let e = try event([["expiration"]])
        #expect(throws: NIP40Error.malformed(nil)) { try e.expiration }
        #expect(e.isExpired(now: 0))
        #expect(NIP40Error.malformed(nil).description == "expiration tag has no value")
    }
}
