import Foundation
import LoomProtocol
import LoomTestFixtures
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

/// Which offers the worker directory keeps and which it picks, from signed
/// events in memory (DirectoryTests in LoomClientLiveTests read a real relay,
/// with the same `testOffer` from LoomTestFixtures).
struct DirectoryTests {

    @Test func newestOfferPerWorkerWinsAndBusyWorkersAreAFallback() throws {
        let key = SecretKey.generate(), other = SecretKey.generate()
        let now = Event.now()
        let old = try testOffer("w", price: 1000).sign(with: key, createdAt: now - 10)
        let newer = try testOffer("w", price: 3000).sign(with: key, createdAt: now)
        let busy = try testOffer("busy", price: 2000, queued: 2).sign(with: other, createdAt: now)
        let expired = try testOffer("expired", price: 1).sign(with: SecretKey.generate(), createdAt: now - 100, ttl: 50)
        let offers = WorkerDirectory.select([newer, old, busy, expired], filter: .init(), now: now)
        #expect(offers.map(\.advertisement.pricing.msatPerSecond) == [2000, 3000])
        #expect(WorkerDirectory.cheapest(offers)?.advertisement.name == "w")
        let onlyBusy = WorkerDirectory.select([busy], filter: .init(), now: now)
        #expect(WorkerDirectory.cheapest(onlyBusy)?.advertisement.name == "busy")
    }
}
