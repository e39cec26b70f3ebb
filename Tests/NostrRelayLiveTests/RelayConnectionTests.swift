import Foundation
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import NostrRelay

/// Against a real nostr-relay process (see TestRelay).
@Suite(.timeLimit(.minutes(2)))
struct RelayConnectionTests {
    let key = SecretKey.generate()
    var mine: Filter { Filter(authors: [key.xOnlyPublicKey.hex], kinds: [1]) }

    @Test func publishIsAcknowledged() async throws {
        let relay = try await TestRelay()
        let conn = try await connection(relay.url)
        let event = try note("hello", key: key)
        let ok = try await conn.publish(event)
        #expect(ok == PublishResult(relay: relay.url, eventID: event.id, message: ""))
        // A second copy is still an OK, with the relay's duplicate note.
        let again = try await conn.publish(event)
        #expect(again.eventID == event.id)
        #expect(again.message.hasPrefix("duplicate:"))
        await conn.close()
    }

    @Test func storedEventsThenEndOfStoredEventsThenLiveEvents() async throws {
        let relay = try await TestRelay()
        let writer = try await connection(relay.url)
        let stored = try (0..<3).map { try note("stored \($0)", key: key) }
        for event in stored { _ = try await writer.publish(event) }

        let reader = try await connection(relay.url)
        let items = Collected(await reader.subscribe([mine]))
        try await items.wait(for: "EOSE") { $0.contains(.endOfStoredEvents) }
        let live = try note("live", key: key)
        _ = try await writer.publish(live)
        let all = try await items.wait(for: "the live event") { $0.contains(.event(live)) }

        let eose = try #require(all.firstIndex(of: .endOfStoredEvents))
        #expect(Set(all[..<eose].compactMap(\.event)) == Set(stored))
        #expect(all[(eose + 1)...].compactMap(\.event) == [live])
        // Someone else's notes do not match `mine`, so the relay never sends them.
        _ = try await writer.publish(try note("other", key: .generate()))
        #expect(await items.items.count == 5)
        await reader.close()
        await writer.close()
    }

    @Test func relayRefusalSurfacesWithTheRelaysReason() async throws {
        let relay = try await TestRelay(maxEventSize: 4096)
        let conn = try await connection(relay.url)
        let good = try note("fine", key: key)
        let tooLong = try note(String(repeating: "x", count: 5000), key: key)
        let forged = try note("forged", key: key)
        let badSig = Event(
            id: forged.id, pubkey: forged.pubkey, createdAt: forged.createdAt, kind: forged.kind,
            tags: forged.tags, content: forged.content, sig: String(forged.sig.reversed()))

        // In flight together on one socket: nostr-relay answers refusals with an
        // empty id, so each answer must still reach the right publisher. It also
        // throttles the socket after each refusal (2 s, then 4 s, …), which is
        // why this test takes several seconds.
        async let a = outcome { () async throws(RelayError) in try await conn.publish(tooLong) }
        async let b = outcome { () async throws(RelayError) in try await conn.publish(good) }
        async let c = outcome { () async throws(RelayError) in try await conn.publish(badSig) }
        let (refusedLong, accepted, refusedSig) = await (a, b, c)

        #expect(try accepted.get().eventID == good.id)
        #expect(throws: RelayError.rejected(relay: relay.url, reason: "invalid: 280 characters should be enough for anybody")) {
            try refusedLong.get()
        }
        #expect(throws: RelayError.rejected(relay: relay.url, reason: "invalid: Bad signature")) { try refusedSig.get() }
        if case .failure(let error) = refusedSig { #expect(error.reasonPrefix == "invalid") }
        await conn.close()
    }

    @Test func oversizedEventsAreDroppedAndCounted() async throws {
        let relay = try await TestRelay(maxEventSize: 100_000)
        let writer = try await connection(relay.url)
        let big = try note(String(repeating: "b", count: 3000), key: key)
        let small = try note("small", key: key)
        _ = try await writer.publish(big)
        _ = try await writer.publish(small)

        var tight = testConfiguration
        tight.maxEventBytes = 1024
        let reader = try await connection(relay.url, tight)
        let items = Collected(await reader.subscribe([mine]))
        let all = try await items.wait(for: "EOSE") { $0.contains(.endOfStoredEvents) }
        #expect(all.compactMap(\.event) == [small])
        let stats = await reader.statistics
        #expect(stats.droppedTooLarge == 1)
        #expect(stats.eventsDelivered == 1)
        await reader.close()
        await writer.close()
    }

    @Test func subscriptionSurvivesARelayRestart() async throws {
        let relay = try await TestRelay()
        let reader = try await connection(relay.url)
        let writer = try await connection(relay.url)
        let items = Collected(await reader.subscribe([mine]))
        let before = try note("before", key: key)
        _ = try await writer.publish(before)
        try await items.wait(for: "the first event") { $0.contains(.event(before)) }

        try await relay.restart()
        // The writer's publish waits for its reconnection; the reader comes back
        // on its own and asks again from just before `before`.
        let after = try note("after", key: key)
        do { _ = try await writer.publish(after) } catch {
            Issue.record(
                "publish after restart: \(error); writer \(await writer.state), \(await writer.statistics); relay log:\n\(relay.server.logTail())"
            )
            throw error
        }
        let all = try await items.wait(for: "the event published after the restart") { $0.contains(.event(after)) }

        #expect(all.compactMap(\.event) == [before, after], "each once, in order, on the same subscription")
        #expect(all.filter { $0 == .endOfStoredEvents }.count == 1)
        #expect(await reader.statistics.connections >= 2)
        // The resumed REQ asked from before `before`, so the relay sent it again; it was set aside.
        try await eventually("a duplicate dropped") { await reader.statistics.droppedDuplicate >= 1 }
        await reader.close()
        await writer.close()
    }

    @Test func cancellingTheIterationSendsClose() async throws {
        let relay = try await TestRelay()
        let conn = try await connection(relay.url)
        let items = Collected(await conn.subscribe([mine]))
        try await items.wait(for: "EOSE") { $0.contains(.endOfStoredEvents) }
        #expect(await conn.subscriptions.count == 1)
        items.cancel()
        try await eventually("the subscription to be forgotten") { await conn.subscriptions.isEmpty }
        // The relay no longer sends us anything for it.
        _ = try await conn.publish(try note("after close", key: key))
        try await Task.sleep(for: .milliseconds(300))
        #expect(await conn.statistics.droppedUnknownSubscription == 0)
        #expect(await items.items == [.endOfStoredEvents])
        await conn.close()
    }

    @Test func publishFailsAfterTimeoutWhenNoRelayAnswers() async throws {
        let port = try TestRelay.unusedPort()
        let conn = try await connection("ws://127.0.0.1:\(port)")
        await #expect(throws: RelayError.timedOut(relay: "ws://127.0.0.1:\(port)", after: .milliseconds(500))) {
            try await conn.publish(try note("nobody home", key: key), timeout: .milliseconds(500))
        }
        await conn.close()
        await #expect(throws: RelayError.connectionClosed(relay: "ws://127.0.0.1:\(port)")) {
            try await conn.publish(try note("closed", key: key))
        }
    }

    /// A relay nobody listens on is silent on its subscriptions; only its
    /// state says each attempt failed. Watchers stop when the connection closes.
    @Test func statesShowEachFailedAttemptAndEndAtClose() async throws {
        // Port 9 (discard), not a free ephemeral port: on a busy run, a
        // reconnect to a free ephemeral port can be given that same port as
        // its source and connect to itself (TCP self-connect), which resets
        // the attempt count this test counts.
        let conn = try await connection("ws://127.0.0.1:9")
        let states = Collected<RelayConnection.State> { inbox in for await s in await conn.states() { await inbox.append(s) } }
        let seen = try await states.wait(for: "two failed attempts") { $0.filter(\.isDown).count >= 2 }
        #expect(seen.first == .connecting || seen.first == .waitingToReconnect(attempt: 1), "the state now comes first: \(seen)")
        #expect(seen.contains(.waitingToReconnect(attempt: 2)), "\(seen)")
        #expect(await conn.stateWatchers.count == 1)
        await conn.close()
        try await states.wait(for: "closed") { $0.last == .closed }
        #expect(await conn.stateWatchers.isEmpty)

        // Watching a closed connection gives its state and ends at once.
        var after: [RelayConnection.State] = []
        for await state in await conn.states() { after.append(state) }
        #expect(after == [.closed])
    }
}
