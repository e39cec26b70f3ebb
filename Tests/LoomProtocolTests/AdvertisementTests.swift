import Foundation
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

@Suite struct AdvertisementTests {
    let ad = Fixture.advertisement

    @Test func roundTrip() throws {
        let event = try ad.sign(with: Fixture.worker, createdAt: Fixture.now, ttl: 300)
        #expect(event.kind == 10100)
        #expect(event.tagValues("t") == ["llama3.2:3b", "qwen2.5:7b"])
        #expect(event.tagValues("g") == ["u0vs"])
        #expect(event.firstTag("price") == ["price", "2500", "msat/s"])
        #expect(event.tagValues("mint") == [Fixture.mint])
        #expect(try event.expiration == Fixture.now + 300)
        #expect(event.content.contains(#""v":1"#))
        #expect(!event.content.contains("u0vs"), "the geohash is a tag only")

        let offer = try Advertisement.parse(event)
        #expect(offer.advertisement == ad)
        #expect(offer.worker == Fixture.worker.xOnlyPublicKey.hex)
        #expect(offer.expiresAt == Fixture.now + 300)
        #expect(offer.eventID == event.id)
    }

    @Test func contentUsesTheWireNames() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ad.template(expiresAt: 1).content.utf8)) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "v", "name", "about", "backends", "pricing", "mints", "blossom", "relays",
                "capacity", "hardware", "software", "accepting",
            ])
        let pricing = try #require(json["pricing"] as? [String: Any])
        #expect(Set(pricing.keys) == ["unit", "msat_per_second", "min_seconds", "max_seconds"])
        let hardware = try #require(json["hardware"] as? [String: Any])
        #expect(hardware["memory_tier"] as? String == "32GB")
    }

    @Test func liveUntilItExpiresAndNeverWhenOffline() throws {
        let offer = try Advertisement.parse(try ad.sign(with: Fixture.worker, createdAt: Fixture.now, ttl: 300))
        #expect(offer.isLive(now: Fixture.now))
        #expect(offer.isLive(now: Fixture.now + 299))
        #expect(!offer.isLive(now: Fixture.now + 300))

        let tombstone = try Advertisement.parse(try ad.offline().sign(with: Fixture.worker, createdAt: Fixture.now + 10))
        #expect(!tombstone.advertisement.accepting)
        #expect(tombstone.advertisement.capacity.running == 0)
        #expect(!tombstone.isLive(now: Fixture.now + 10))
    }

    @Test func anOfflineReplacementMayListNothing() throws {
        var empty = ad.offline()
        empty.backends = []
        empty.mints = []
        let offer = try Advertisement.parse(try empty.sign(with: Fixture.worker, createdAt: Fixture.now))
        #expect(offer.advertisement.models.isEmpty && !offer.isLive(now: Fixture.now))
    }

    @Test func refreshIsAThirdOfTheLifetime() {
        #expect(Advertisement.refreshInterval(ttl: 300) == 100)
        #expect(Advertisement.refreshInterval(ttl: 2) == 1)
    }

    @Test func anAdvertisementWithoutExpirationIsRefused() throws {
        let template = try ad.template(expiresAt: Fixture.now)
        let tags = template.tags.filter { $0.first != "expiration" }
        let event = try Event.sign(
            kind: 10100, content: template.content, tags: tags, createdAt: Fixture.now, with: Fixture.worker)
        #expect(throws: LoomEventError.missingTag("expiration")) { try Advertisement.parse(event) }
    }

    @Test func tagsMustAgreeWithContent() throws {
        let template = try ad.template(expiresAt: Fixture.now + 60)
        func signed(_ tags: [[String]]) throws -> Event {
            try Event.sign(kind: 10100, content: template.content, tags: tags, createdAt: Fixture.now, with: Fixture.worker)
        }
        let extraModel = try signed(template.tags + [["t", "gpt-5"]])
        #expect(throws: LoomEventError.self) { try Advertisement.parse(extraModel) }
        let cheaper = try signed(template.tags.map { $0.first == "price" ? ["price", "1", "msat/s"] : $0 })
        #expect(throws: LoomEventError.badTag("price", reason: "does not match pricing.msat_per_second")) {
            try Advertisement.parse(cheaper)
        }
        let otherMint = try signed(template.tags.map { $0.first == "mint" ? ["mint", "https://other.mint"] : $0 })
        #expect(throws: LoomEventError.self) { try Advertisement.parse(otherMint) }
        // Trailing slashes are the same mint.
        let slashed = try signed(template.tags.map { $0.first == "mint" ? ["mint", Fixture.mint + "/"] : $0 })
        #expect(try Advertisement.parse(slashed).advertisement.mints == [Fixture.mint])
    }

    @Test func forgedOrWrongKindEventsAreRefused() throws {
        let event = try ad.sign(with: Fixture.worker, createdAt: Fixture.now)
        #expect(throws: LoomEventError.self) {
            try Advertisement.parse(event.tampered(content: event.content.replacingOccurrences(of: "2500", with: "1")))
        }
        let status = try Event.sign(
            kind: 30100, content: event.content, tags: event.tags, createdAt: Fixture.now, with: Fixture.worker)
        #expect(throws: LoomEventError.wrongKind(expected: .advertisement, got: 30100)) { try Advertisement.parse(status) }
    }

    @Test func unknownVersionsAreRefusedClearly() throws {
        let template = try ad.template(expiresAt: Fixture.now + 60)
        let v2 = template.content.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)
        let event = try Event.sign(kind: 10100, content: v2, tags: template.tags, createdAt: Fixture.now, with: Fixture.worker)
        #expect(throws: LoomEventError.content(.unsupportedVersion(2))) { try Advertisement.parse(event) }
    }

    @Test func unknownFieldsAreIgnored() throws {
        let template = try ad.template(expiresAt: Fixture.now + 60)
        let extended = template.content.replacingOccurrences(of: #""v":1"#, with: #""v":1,"gpu_hours":12"#)
        let event = try Event.sign(
            kind: 10100, content: extended, tags: template.tags, createdAt: Fixture.now, with: Fixture.worker)
        #expect(try Advertisement.parse(event).advertisement == ad)
    }

    @Test func invalidOffersAreNotBuilt() {
        let cases: [(String, (inout Advertisement) -> Void)] = [
            ("name", { $0.name = "" }),
            ("pricing.unit", { $0.pricing.unit = "usd" }),
            ("pricing.msat_per_second", { $0.pricing.msatPerSecond = 0 }),
            ("pricing.min_seconds", { $0.pricing.minSeconds = 700 }),
            ("mints[0]", { $0.mints = ["ftp://mint"] }),
            ("relays[0]", { $0.relays = ["https://not-a-relay"] }),
            ("blossom[0]", { $0.blossom = ["blossom.example.com"] }),
            ("backends", { $0.backends = [] }),
            ("mints", { $0.mints = [] }),
            ("capacity.max_concurrent", { $0.capacity.maxConcurrent = 0 }),
            ("hardware.chip_family", { $0.hardware.chipFamily = "Apple M2 Max serial C02XYZ" }),
            ("g", { $0.geohash = "u0vs!" }),
        ]
        for (field, change) in cases {
            var bad = ad
            change(&bad)
            do {
                _ = try bad.template(expiresAt: Fixture.now)
                Issue.record("built an offer with a bad \(field)")
            } catch {
                guard case .invalid(let f, _) = error else { Issue.record("\(error)"); continue }
                #expect(f == field)
            }
        }
    }

    @Test func memoryTiersAreCoarse() {
        let gib: UInt64 = 1 << 30
        #expect(MemoryTier(bytes: 4 * gib) == .under8)
        #expect(MemoryTier(bytes: 8 * gib) == .gb8)
        #expect(MemoryTier(bytes: 15 * gib + gib / 2) == .gb16)  // a 16 GB Linux box
        #expect(MemoryTier(bytes: 24 * gib) == .gb16)
        #expect(MemoryTier(bytes: 36 * gib) == .gb32)
        #expect(MemoryTier(bytes: 192 * gib) == .gb128)
        #expect(MemoryTier(bytes: 512 * gib) == .gb256OrMore)
    }
}
