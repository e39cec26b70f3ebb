import Testing

@testable import LoomWorker

/// The cue an early job's swap waits for (issue 18): it comes at the first
/// token, at a stop, or at the wait's limit, and once given it stays given.
struct RunControlTests {
    /// Waits for `control`'s cue with `limit`; false if a minute passes
    /// first (a missing cue fails the test instead of hanging it).
    private func cued(_ control: RunControl, limit: Duration = .seconds(3600)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await control.untilCued(atMost: limit)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            control.cue()  // frees the waiter if the guard won
            return first
        }
    }

    @Test func theCueFreesAWaiterAndStaysGiven() async {
        let control = RunControl()
        let waiter = Task { await cued(control) }
        control.cue()
        #expect(await waiter.value)
        #expect(await cued(control), "a cue given before the wait is not lost")
    }

    @Test func aStopIsACue() async {
        let control = RunControl()
        let waiter = Task { await cued(control) }
        control.stop(.unpaid)
        #expect(await waiter.value)
    }

    @Test func theLimitEndsTheWaitWithoutACue() async {
        #expect(await cued(RunControl(), limit: .milliseconds(20)))
    }

    @Test func everyWaiterIsFreed() async {
        let control = RunControl()
        let waiters = (0..<8).map { _ in Task { await cued(control) } }
        control.cue()
        for waiter in waiters { #expect(await waiter.value) }
    }
}
