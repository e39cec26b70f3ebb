import Foundation
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomClient

extension ClientSuites {
    /// The worker directory against a real relay: only live offers are shown,
    /// filters apply, and the automatic choice is the cheapest worker with room.
    @Suite(.serialized)
    struct DirectoryTests {

        @Test func onlyLiveOffersAreListedCheapestFirst() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let pool = try RelayPool(urls: [relay.url])
            await pool.connect()
            let now = Event.now()
            let keys = (0..<6).map { _ in SecretKey.generate() }
            let events = [
                try testOffer("dear", price: 5000).sign(with: keys[0], createdAt: now),
                try testOffer("cheap-busy", price: 1000, running: 1).sign(with: keys[1], createdAt: now),
                try testOffer("middle", price: 2000).sign(with: keys[2], createdAt: now),
                // Expired ten seconds ago (NIP-40): gone.
                try testOffer("expired", price: 10).sign(with: keys[3], createdAt: now - 400, ttl: 390),
                // The offline replacement a worker publishes on shutdown: gone.
                try testOffer("offline", price: 10).offline().sign(with: keys[4], createdAt: now),
                try testOffer("other-model", price: 1500, models: ["qwen2.5:7b"], mints: ["http://127.0.0.1:4444"]).sign(
                    with: keys[5], createdAt: now),
            ]
            // A relay may refuse an expired event itself (NIP-40); either way it must not be listed.
            for e in events { _ = try? await pool.publish(e) }

            let directory = WorkerDirectory(pool: pool)
            let all = try await directory.offers()
            #expect(all.map(\.advertisement.name) == ["cheap-busy", "other-model", "middle", "dear"])

            let llama = try await directory.offers(WorkerFilter(model: "llama3.2:3b"))
            #expect(llama.map(\.advertisement.name) == ["cheap-busy", "middle", "dear"])
            let affordable = try await directory.offers(WorkerFilter(maxMsatPerSecond: 2000))
            #expect(affordable.map(\.advertisement.name) == ["cheap-busy", "other-model", "middle"])
            let atMint = try await directory.offers(WorkerFilter(mint: "http://127.0.0.1:4444/"))
            #expect(atMint.map(\.advertisement.name) == ["other-model"])

            // The cheapest with a free slot wins over a cheaper busy one.
            let chosen = try await directory.cheapest(model: "llama3.2:3b")
            #expect(chosen.advertisement.name == "middle")
            await #expect(throws: ClientError.self) { try await directory.cheapest(model: "mistral:7b") }
            await #expect(throws: ClientError.self) { try await directory.offer(of: keys[4].xOnlyPublicKey.hex) }
            #expect(try await directory.offer(of: keys[0].xOnlyPublicKey.hex).advertisement.name == "dear")
            await pool.close()
        }

        /// The timeout is ten minutes and the time limit one: the test fails
        /// if the read waits for relays it knows are down.
        @Test(.timeLimit(.minutes(1)))
        func unreachableRelaysAreAnErrorNotAnEmptyMarket() async throws {
            let dead = try (0..<2).map { _ in "ws://127.0.0.1:\(try TestRelay.unusedPort())" }
            let pool = try RelayPool(urls: dead)
            do {
                _ = try await WorkerDirectory(pool: pool).offers(timeout: .seconds(600))
                Issue.record("expected relaysUnreachable")
            } catch {
                guard case .relaysUnreachable(let urls) = error else { Issue.record("got \(error)"); return }
                #expect(urls == dead)
            }
            await pool.close()
        }

        /// One live relay and one where nothing listens: the offers come as
        /// soon as the live relay's EOSE is in, not at the ten-minute timeout.
        @Test(.timeLimit(.minutes(2)))
        func aDeadRelayDoesNotHoldTheOffersBack() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let dead = "ws://127.0.0.1:\(try TestRelay.unusedPort())"
            let writer = try RelayPool(urls: [relay.url])
            await writer.connect()
            _ = try await writer.publish(try testOffer("live", price: 1000).sign(with: SecretKey.generate()))
            await writer.close()

            let pool = try RelayPool(urls: [dead, relay.url])
            let offers = try await WorkerDirectory(pool: pool).offers(timeout: .seconds(600))
            #expect(offers.map(\.advertisement.name) == ["live"])
            await pool.close()
        }
    }
}
