import Foundation
import LoomProtocol

/// A graceful stop: no new jobs, the queue refunded, running jobs given
/// `grace` to finish and then stopped and billed for what ran.
extension Worker {
    public func shutdown(grace: Duration) async {
        guard accepting else { return await waitForDrain() }
        accepting = false
        intake?.cancel()
        intake = nil
        retries?.cancel()
        logger.info("worker stopping", metadata: ["running": "\(scheduler.running.count)", "queued": "\(scheduler.queue.count)"])
        for id in scheduler.queue where scheduler.dequeue(id) {
            tasks[id] = Task { await self.settle(id, end: .stopped(.shutdown), output: "", usage: nil, elapsedMs: 0) }
        }
        let deadline = ContinuousClock.now + grace
        while !scheduler.running.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for id in scheduler.running { live[id]?.control.stop(.shutdown) }
        await waitForDrain()
        await pool.close()
        // Whatever is still open in the wallets (a change the mint has not
        // made) is the next run's to settle, even in this process.
        for wallet in desk.wallets.values { wallet.close() }
        wake()
    }

    /// Returns once no job is running or being settled.
    func waitForDrain() async {
        while !tasks.isEmpty || !scheduler.running.isEmpty || paying > 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
