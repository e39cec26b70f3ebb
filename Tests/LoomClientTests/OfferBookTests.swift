import Foundation
import LoomProtocol
import LoomTestFixtures
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomClient

/// The gateway's live offers (`OfferBook`), fed signed events in memory: the
/// same rules as a one-shot read, and bounded however many keys publish.
struct OfferBookTests {
    static func book(capacity: Int = 10_000) throws -> OfferBook {
        OfferBook(pool: try RelayPool(urls: ["ws://127.0.0.1:1"]), capacity: capacity)
    }

    @Test func newestOfferPerWorkerWinsAndAnOfflineOneHidesTheWorker() async throws {
        let book = try Self.book()
        let a = SecretKey.generate(), b = SecretKey.generate()
        let now = Event.now()
        await book.note(try testOffer("a", price: 3000).sign(with: a, createdAt: now))
        // Older than what the book holds: ignored, whatever it says.
        await book.note(try testOffer("a", price: 1).sign(with: a, createdAt: now - 10))
        await book.note(try testOffer("b", price: 1000).sign(with: b, createdAt: now - 5))
        await book.markReady()
        #expect(try await book.offers().map(\.advertisement.name) == ["b", "a"])
        #expect(try await book.offers().first?.advertisement.pricing.msatPerSecond == 1000)
        // b goes offline (its shutdown replacement): no longer offered.
        await book.note(try testOffer("b", price: 1000, accepting: false).sign(with: b, createdAt: now))
        #expect(try await book.offers().map(\.advertisement.name) == ["a"])
        #expect(try await book.offers(WorkerFilter(model: "qwen2.5:7b")).isEmpty)
    }

    @Test func aFloodOfKeysStaysWithinCapacityExpiredAndOldestFirst() async throws {
        let book = try Self.book(capacity: 3)
        let now = Event.now()
        let expired = try testOffer("expired", price: 1).sign(
            with: SecretKey.generate(), createdAt: now - 100, ttl: 50)
        await book.note(expired)
        await book.note(try testOffer("old", price: 1).sign(with: SecretKey.generate(), createdAt: now - 20))
        await book.note(try testOffer("mid", price: 1).sign(with: SecretKey.generate(), createdAt: now - 10))
        await book.note(try testOffer("new", price: 1).sign(with: SecretKey.generate(), createdAt: now))
        #expect(await book.count == 3)
        await book.markReady()
        #expect(Set(try await book.offers().map(\.advertisement.name)) == ["old", "mid", "new"])
        for i in 0..<20 {
            await book.note(try testOffer("flood\(i)", price: 1).sign(with: SecretKey.generate(), createdAt: now))
        }
        #expect(await book.count == 3)
        // Events that are no offer at all never enter.
        let junk = try Event.sign(kind: LoomKind.advertisement.rawValue, content: "{}", with: SecretKey.generate())
        await book.note(junk)
        #expect(await book.count == 3)
    }
}
