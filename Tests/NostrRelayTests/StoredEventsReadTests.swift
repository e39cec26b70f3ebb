import Testing

@testable import NostrRelay

/// When a one-shot read may stop: each relay has ended its stored events or
/// is down, and a relay that comes back is waited for again. No sockets.
struct StoredEventsReadTests {
    let a = "ws://a.example"
    let b = "ws://b.example"

    @Test func aReadEndsWhenEachRelayAnsweredOrIsDown() {
        var read = StoredEventsRead(relays: [a, b])
        read.note(RelayState(relay: a, state: .connecting))
        read.note(RelayState(relay: b, state: .connecting))
        read.note(RelayState(relay: b, state: .waitingToReconnect(attempt: 1)))
        #expect(read.waiting == [a])
        read.note(RelayState(relay: b, state: .connecting))
        #expect(read.waiting == [a], "a retry is not a recovery")
        read.note(RelayState(relay: b, state: .connected))
        read.note(.endOfStoredEvents(relay: a))
        #expect(read.waiting == [b], "b came back: its stored events are worth waiting for")
        read.note(RelayState(relay: b, state: .waitingToReconnect(attempt: 2)))
        #expect(read.isComplete)
        #expect(read.answered == [a] && read.ended == [a] && read.down == [b])
    }

    @Test func downWithoutAWordIsNotAnAnswerButClosedIs() {
        var silent = StoredEventsRead(relays: [a])
        silent.note(RelayState(relay: a, state: .waitingToReconnect(attempt: 1)))
        #expect(silent.isComplete && silent.answered.isEmpty, "the caller reports it unreachable")

        var refused = StoredEventsRead(relays: [a, b])
        refused.note(.closed(relay: a, reason: "blocked: no"))
        refused.note(RelayState(relay: b, state: .closed))
        #expect(refused.isComplete && refused.answered == [a] && refused.closed == [a: "blocked: no"])
    }
}
