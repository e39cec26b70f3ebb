import Foundation
import LoomProtocol
import LoomTestFixtures
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

/// `--worker auto`'s rule with warm models: price first, then a free slot,
/// then, among equal prices, a worker with the model loaded.
struct WarmChoiceTests {
    func offers(_ specs: [(name: String, price: UInt64, warm: [String]?, queued: Int)]) throws -> [WorkerOffer] {
        let now = Event.now()
        let events = try specs.map { spec in
            var ad = testOffer(spec.name, price: spec.price, queued: spec.queued)
            ad.warm = spec.warm
            return try ad.sign(with: SecretKey.generate(), createdAt: now)
        }
        return WorkerDirectory.select(events, filter: .init(), now: now)
    }

    @Test func amongEqualPricesTheWarmWorkerWins() throws {
        let found = try offers([("a-cold", 1000, [], 0), ("b-warm", 1000, ["llama3.2:3b"], 0), ("c-silent", 1000, nil, 0)])
        #expect(WorkerDirectory.cheapest(found, model: "llama3.2:3b")?.advertisement.name == "b-warm")
        #expect(WorkerDirectory.cheapest(found)?.advertisement.name == "a-cold", "no model: the old rule (name order)")
    }

    @Test func aCheaperColdWorkerStillWins() throws {
        let found = try offers([("warm", 2000, ["llama3.2:3b"], 0), ("cold", 1000, [], 0)])
        #expect(WorkerDirectory.cheapest(found, model: "llama3.2:3b")?.advertisement.name == "cold")
    }

    @Test func aFreeSlotComesBeforeWarmth() throws {
        let found = try offers([("warm-busy", 1000, ["llama3.2:3b"], 2), ("cold-free", 1000, [], 0)])
        #expect(WorkerDirectory.cheapest(found, model: "llama3.2:3b")?.advertisement.name == "cold-free")
        let allBusy = try offers([("cold-busy", 1000, [], 1), ("warm-busy", 1000, ["llama3.2:3b"], 1)])
        #expect(WorkerDirectory.cheapest(allBusy, model: "llama3.2:3b")?.advertisement.name == "warm-busy")
    }

    @Test func warmForAnotherModelDoesNotCount() throws {
        let found = try offers([("a", 1000, [], 0), ("b", 1000, ["qwen2.5:7b"], 0)])
        #expect(WorkerDirectory.cheapest(found, model: "llama3.2:3b")?.advertisement.name == "a")
    }
}
