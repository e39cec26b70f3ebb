import Foundation
import Logging
import LoomTestSupport
import Testing
import Nostr
import Secp256k1
@testable import NostrRelay

/// Two real nostr-relay processes, or one and a port where nothing listens.
@Suite(.timeLimit(.minutes(2)))
struct RelayPoolTests {
    let key = SecretKey.generate()
    var mine: Filter { Filter(authors: [key.xOnlyPublicKey.hex], kinds: [1]) }

    func pool(_ urls: [String]) async throws -> RelayPool {
        var logger = Logger(label: "test.pool")
        logger.logLevel = .warning
        let pool = try RelayPool(urls: urls, configuration: testConfiguration, logger: logger)
        await pool.connect()
        return pool
    }

    @Test func eventFromTwoRelaysIsSeenOnce() async throws {
        async let r1 = TestRelay()
        async let r2 = TestRelay()
        let (one, two) = try await (r1, r2)
        let pool = try await pool([one.url, two.url])
        let items = Collected(pool.subscribe([mine]))
        try await items.wait(for: "EOSE from both relays") { $0.filter { if case .endOfStoredEvents = $0 { true } else { false } }.count == 2 }

        let event = try note("to both", key: key)
        let result = try await pool.publish(event)
        #expect([one.url, two.url].contains(result.accepted.relay))
        // Wait until each relay's copy has come in, then count what the pool let through.
        try await eventually("both copies") {
            var delivered = 0
            for c in pool.connections { delivered += await c.statistics.eventsDelivered }
            return delivered == 2
        }
        // Both copies reached the pool; give its merge loop a moment to pass
        // on (or drop) the second before counting.
        _ = try await items.wait(for: "the event") { $0.contains { $0.event == event } }
        try await Task.sleep(for: .milliseconds(500))
        #expect(await items.items.compactMap(\.event) == [event])
        await pool.close()
    }

    @Test func publishSucceedsWhileOneRelayIsDown() async throws {
        let up = try await TestRelay()
        let down = "ws://127.0.0.1:\(try TestRelay.unusedPort())"
        let pool = try await pool([down, up.url])
        let items = Collected(pool.subscribe([mine]))

        let event = try note("one of two", key: key)
        let result = try await pool.publish(event, timeout: .seconds(60))
        #expect(result.accepted.relay == up.url)
        #expect(result.accepted.eventID == event.id)
        let all = try await items.wait(for: "the event from the live relay") { $0.contains(.event(event, relay: up.url)) }
        #expect(all.contains(.endOfStoredEvents(relay: up.url)))
        #expect(!all.contains(.endOfStoredEvents(relay: down)))
        await pool.close()
    }

    @Test func everyRefusalIsReportedWhenAllRelaysRefuse() async throws {
        async let r1 = TestRelay(maxEventSize: 100)
        async let r2 = TestRelay(maxEventSize: 100)
        let (one, two) = try await (r1, r2)
        let pool = try await pool([one.url, two.url])
        // Publishing before the sockets are up is covered elsewhere; here both
        // relays must be there to refuse.
        try await eventually("both relays connected") {
            for c in pool.connections where !(await c.isConnected) { return false }
            return true
        }
        let event = try note(String(repeating: "y", count: 200), key: key)
        do {
            _ = try await pool.publish(event)
            Issue.record("a relay accepted an event over its limit")
        } catch {
            guard case .allRefused(let refusals) = error else { Issue.record("unexpected \(error)"); return }
            #expect(Set(refusals.map(\.relay)) == [one.url, two.url])
            #expect(refusals.allSatisfy { $0.reasonPrefix == "invalid" }, "refusals: \(refusals)")
        }
        await pool.close()
    }
}
