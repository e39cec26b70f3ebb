import Foundation
import LoomProtocol

/// A graceful stop: no new jobs, the queue refunded, running jobs given
/// `grace` to finish and then stopped and billed for what ran.
extension Worker {
    public func shutdown(grace: Duration) async {
        guard accepting else { return await waitForDrain() }
        accepting = false
        subscription?.cancel()
        stopping.open()
        logger.info("worker stopping", metadata: ["running": "\(scheduler.running.count)", "queued": "\(scheduler.queue.count)"])
        refundQueue()
        await stopRunning(after: grace)
        await waitForDrain()
        await pool.close()
        // Whatever is still open in the wallets (a change the mint has not
        // made) is the next run's to settle, even in this process.
        for wallet in desk.wallets.values { wallet.close() }
        stopped.open()
    }

    /// Refunds every queued job in full (nothing ran, nothing is billed);
    /// shutdown and the serving policy (`failure`: why) both end the queue so.
    func refundQueue(failure: Reason? = nil) {
        for id in scheduler.queue where scheduler.dequeue(id) {
            tasks[id] = Task {
                await self.settle(id, end: .stopped(.shutdown), output: "", usage: nil, elapsedMs: 0, failure: failure)
            }
        }
    }

    /// Gives running jobs `grace` to finish, then stops them; they are
    /// billed for what ran, as the worker's fault. Returns false, stopping
    /// nothing, once `abandon` is true (the serving policy turned on again).
    /// Cancelled (a forced stop) ends the grace at once, unless abandoning.
    @discardableResult
    func stopRunning(after grace: Duration, abandon: () -> Bool = { false }) async -> Bool {
        let deadline = ContinuousClock.now + grace
        while !scheduler.running.isEmpty, ContinuousClock.now < deadline, !abandon() {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
        }
        guard !abandon() else { return false }
        for id in scheduler.running { live[id]?.control.stop(.shutdown) }
        return true
    }

    /// Returns once no job is running or being settled and no payment is
    /// being swapped. Woken by `drainedIfIdle` rather than polling, so that
    /// it also waits in a cancelled task.
    func waitForDrain() async {
        while !isIdle { await withCheckedContinuation { drainWaiters.append($0) } }
    }

    var isIdle: Bool { tasks.isEmpty && scheduler.running.isEmpty && paying == 0 }

    /// Called wherever a job, a settling or a payment ends.
    func drainedIfIdle() {
        guard isIdle else { return }
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters.removeAll()
    }

    func untilStopping() async { await withCheckedContinuation { stopping.add($0) } }

    func untilStopped() async { await withCheckedContinuation { stopped.add($0) } }
}

/// A one-way door for tasks on the worker actor: closed until `open()`,
/// then open for good (shutdown has begun, shutdown has ended).
struct Latch {
    private(set) var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    mutating func open() {
        isOpen = true
        for waiter in waiting { waiter.resume() }
        waiting.removeAll()
    }

    /// Resumes `waiter` now if open, else at `open()`.
    mutating func add(_ waiter: CheckedContinuation<Void, Never>) {
        if isOpen { waiter.resume() } else { waiting.append(waiter) }
    }
}
