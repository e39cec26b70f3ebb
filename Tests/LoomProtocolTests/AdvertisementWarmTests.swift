import Foundation
import Nostr
import Testing

@testable import LoomProtocol

/// The optional `warm` field: models loaded now. Absent means "not said",
/// which is how every worker before it reads; a reader that does not know it ignores it.
@Suite struct AdvertisementWarmTests {
    @Test func warmRoundTripsAndIsOmittedWhenNotSaid() throws {
        var ad = Fixture.advertisement
        #expect(!ad.template(expiresAtOrZero: 1).contains("warm"), "nil: nothing on the wire")
        ad.warm = ["qwen2.5:7b"]
        let event = try ad.sign(with: Fixture.worker, createdAt: Fixture.now, ttl: 300)
        #expect(event.content.contains(#""warm":["qwen2.5:7b"]"#))
        let parsed = try Advertisement.parse(event).advertisement
        #expect(parsed.warm == ["qwen2.5:7b"] && parsed == ad)
        #expect(parsed.isWarm("qwen2.5:7b") && !parsed.isWarm("llama3.2:3b"))
    }

    @Test func anOlderWorkersOfferIsNeverWarm() throws {
        let parsed = try Advertisement.parse(Fixture.advertisement.sign(with: Fixture.worker, createdAt: Fixture.now, ttl: 60))
        #expect(parsed.advertisement.warm == nil)
        #expect(!parsed.advertisement.isWarm("llama3.2:3b"))
    }

    @Test func aWarmModelNotOfferedDoesNotCount() {
        var ad = Fixture.advertisement
        ad.warm = ["mistral:7b"]
        #expect(!ad.isWarm("mistral:7b"), "a hint about a model the worker does not sell is ignored")
    }
}

extension Advertisement {
    fileprivate func template(expiresAtOrZero at: Int64) -> String { (try? template(expiresAt: at).content) ?? "" }
}
