import Foundation
import LoomProtocol
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

/// Which offers the worker directory keeps and which it picks, from signed
/// events in memory (DirectoryTests in LoomClientLiveTests read a real relay,
/// with the same `offer`).
struct DirectoryTests {
    static func offer(
        _ name: String, price: UInt64, models: [String] = ["llama3.2:3b"], mints: [String] = ["http://127.0.0.1:3338"],
        accepting: Bool = true, running: Int = 0, queued: Int = 0
    ) -> Advertisement {
        Advertisement(
            name: name, backends: [.init(name: "ollama", models: models)],
            pricing: Rate(msatPerSecond: price, minSeconds: 1, maxSeconds: 600), mints: mints, blossom: [],
            relays: ["ws://127.0.0.1:1"], capacity: .init(maxConcurrent: 1, running: running, queued: queued),
            hardware: .init(chipFamily: "x86_64", memoryTier: .gb16), software: .init(version: "0.1.0"), accepting: accepting)
    }

    @Test func newestOfferPerWorkerWinsAndBusyWorkersAreAFallback() throws {
        let key = SecretKey.generate(), other = SecretKey.generate()
        let now = Event.now()
        let old = try Self.offer("w", price: 1000).sign(with: key, createdAt: now - 10)
        let newer = try Self.offer("w", price: 3000).sign(with: key, createdAt: now)
        let busy = try Self.offer("busy", price: 2000, queued: 2).sign(with: other, createdAt: now)
        let expired = try Self.offer("expired", price: 1).sign(with: SecretKey.generate(), createdAt: now - 100, ttl: 50)
        let offers = WorkerDirectory.select([newer, old, busy, expired], filter: .init(), now: now)
        #expect(offers.map(\.advertisement.pricing.msatPerSecond) == [2000, 3000])
        #expect(WorkerDirectory.cheapest(offers)?.advertisement.name == "w")
        let onlyBusy = WorkerDirectory.select([busy], filter: .init(), now: now)
        #expect(WorkerDirectory.cheapest(onlyBusy)?.advertisement.name == "busy")
    }
}
