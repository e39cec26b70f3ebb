import Testing

@testable import LoomWorker

/// Slots, reservations and the FIFO queue, without servers.
/// (Mutating calls are made outside `#expect`, which cannot take them.)
struct SchedulerTests {
    @Test func placesFirstInFirstOutAndStartsTheNextWhenASlotFrees() {
        var s = Scheduler(maxRunning: 1, maxQueue: 2)
        var placements: [Scheduler.Placement] = []
        for id in ["a", "b", "c"] {
            _ = s.reserve()
            placements.append(s.place(id))
        }
        #expect(placements == [.start, .queued(position: 1), .queued(position: 2)])
        #expect(s.position("c") == 2)
        let next = s.finish("a")
        #expect(next == "b")
        #expect(s.position("c") == 1)
        #expect(s.running == ["b"])
    }

    @Test func refusesBeyondTheQueueBeforeAnyPayment() {
        var s = Scheduler(maxRunning: 1, maxQueue: 1)
        let first = s.reserve(), second = s.reserve(), third = s.reserve()
        #expect(first && second)
        #expect(!third, "one running and one waiting fill it")
        s.release()
        let again = s.reserve()
        #expect(again, "a refused payment gives its place back")
    }

    @Test func unboundedQueueNeverRefuses() {
        var s = Scheduler(maxRunning: 1, maxQueue: nil)
        var refused = 0
        for _ in 0..<1000 where !s.reserve() { refused += 1 }
        #expect(refused == 0)
    }

    @Test func aCancelledJobLeavesTheQueue() {
        var s = Scheduler(maxRunning: 1, maxQueue: 4)
        for id in ["a", "b", "c"] { _ = s.place(id, reserved: false) }
        let removed = s.dequeue("b"), again = s.dequeue("b")
        #expect(removed && !again)
        let next = s.finish("a")
        #expect(next == "c")
    }

    @Test func aLateJobWaitsBehindTheQueue() {
        var s = Scheduler(maxRunning: 2, maxQueue: 4)
        for id in ["a", "b", "c"] { _ = s.place(id, reserved: false) }
        let next = s.finish("a")
        let late = s.place("d", reserved: false)
        #expect(next == "c")
        #expect(late == .queued(position: 1))
    }
}
