import Foundation
import Logging
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

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
        try await items.wait(for: "EOSE from both relays") {
            $0.filter { if case .endOfStoredEvents = $0 { true } else { false } }.count == 2
        }

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

    /// `requested` fires only once every connection has queued its REQ, so
    /// whatever the pool sends next follows the REQ on each socket: what lets
    /// a streamed job publish without waiting for EOSE. (The test relay keeps
    /// even ephemeral events, so a late REQ would still find a published
    /// event stored; the queue is checked instead.)
    @Test func requestedFiresOnceEveryConnectionHasQueuedItsREQ() async throws {
        async let r1 = TestRelay()
        async let r2 = TestRelay()
        let (one, two) = try await (r1, r2)
        let pool = try await pool([one.url, two.url])
        func queued() async -> [Int] {
            var counts: [Int] = []
            for connection in pool.connections { counts.append(await connection.subscriptions.count) }
            return counts
        }
        var open: [PoolSubscription] = []
        for round in 1...10 {
            let (ready, signal) = AsyncStream.makeStream(of: Void.self)
            open.append(pool.subscribe([mine], requested: { signal.yield(()) }))
            var iterator = ready.makeAsyncIterator()
            _ = await iterator.next()
            #expect(await queued() == [round, round])
        }
        for subscription in open { subscription.cancel() }
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

    /// The pool tells a relay that cannot be reached from one that is up;
    /// a one-shot read relies on it to stop waiting for the dead one.
    @Test func statesTellADeadRelayFromALiveOne() async throws {
        let up = try await TestRelay()
        let down = "ws://127.0.0.1:\(try TestRelay.unusedPort())"
        let pool = try await pool([down, up.url])
        let states = Collected<RelayState> { inbox in for await s in pool.states() { await inbox.append(s) } }
        let seen: [RelayState]
        do {
            seen = try await states.wait(for: "the dead relay down, the live one connected") { all in
                all.contains { $0.relay == down && $0.state.isDown } && all.contains(RelayState(relay: up.url, state: .connected))
            }
        } catch {
            // Say what the live relay went through, and what it logged.
            let live = await states.items.filter { $0.relay == up.url }.map { "\($0.state)" }
            Issue.record("\(error); the live relay's states: \(live.suffix(20)); its log:\n\(up.server.logTail())")
            await pool.close()
            return
        }
        #expect(!seen.contains { $0.relay == up.url && $0.state.isDown }, "\(seen)")
        await pool.close()
        try await states.wait(for: "both closed") { all in
            [down, up.url].allSatisfy { all.contains(RelayState(relay: $0, state: .closed)) }
        }
        // After close the stream gives each closed state and ends.
        var after: [RelayState] = []
        for await state in pool.states() { after.append(state) }
        #expect(Set(after) == [RelayState(relay: down, state: .closed), RelayState(relay: up.url, state: .closed)])
    }

    /// A one-shot read ends at the live relay's EOSE: the dead one is known
    /// to be down, so the ten-minute timeout (beyond the suite's time limit) never matters.
    @Test func aStoredReadDoesNotWaitForADeadRelay() async throws {
        let up = try await TestRelay()
        let down = "ws://127.0.0.1:\(try TestRelay.unusedPort())"
        let pool = try await pool([down, up.url])
        let event = try note("stored", key: key)
        _ = try await pool.publish(event, timeout: .seconds(60))
        let read = await pool.fetchStored([mine], timeout: .seconds(600))
        #expect(read.events == [event])
        #expect(read.ended == [up.url] && read.answered == [up.url])
        #expect(read.down == [down] && read.isComplete)
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
