import Foundation
import LoomProtocol
import Nostr
import ServiceLifecycle

/// `run`: the worker as a `Service`. One task group owns what serving needs
/// beside the intake loop: each payment being swapped, the retry loop, the
/// refusal senders and the wait for a graceful shutdown. `run` returns only
/// once all of them are done.
extension Worker {
    /// Connects, settles what a previous run left, then serves until the
    /// service group's graceful shutdown or `shutdown()`. Cancellation stops
    /// it too, without the grace (`stopOnGracefulShutdown`).
    public func run() async throws {
        await pool.connect()
        await refreshModels(force: true)
        await recover()
        // Shut down before it started serving (a test, a signal during recovery).
        guard accepting else { return await untilStopped() }
        let gate = self.gate
        let subscription = pool.subscribe(
            [
                Filter(
                    kinds: [LoomKind.jobRequest.rawValue, LoomKind.jobCancel.rawValue],
                    tags: ["p": [workerHex]], since: Event.now() - Self.lookBack)
            ], admit: { gate.admits($0) })
        self.subscription = subscription
        logger.info(
            "worker serving",
            metadata: [
                "pubkey": "\(workerHex)", "relays": "\(configuration.relays.count)", "models": "\(offered.sorted())",
            ])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.stopOnGracefulShutdown() }
            group.addTask { await self.retryUntilStopping() }
            group.addTask { await self.statuses.refusals.run() }
            // Shutdown ends the subscription; requests still buffered are not taken.
            for await item in subscription {
                guard accepting else { break }
                guard case .event(let event, _) = item, let payment = await receive(event) else { continue }
                // The swap is a mint round trip: the next request (or a cancel) must not wait for it.
                group.addTask {
                    await self.pay(payment.admission, event: payment.event)
                    await self.paymentDone()
                }
            }
            await untilStopped()
            group.cancelAll()
        }
    }

    /// The orderly stop comes from the service group (SIGTERM, SIGINT).
    /// Cancellation, the forced stop, skips the grace: running jobs are
    /// stopped at once and settled for what ran (their own tasks are not
    /// cancelled, so the money is still settled), and a payment cut short
    /// stays journaled for the wallet to settle, as after a crash.
    private func stopOnGracefulShutdown() async {
        do {
            try await gracefulShutdown()
            await shutdown()
        } catch {
            // Also how `run` ends this task once stopped.
            if !stopped.isOpen { await shutdown(grace: .zero) }
        }
    }

    /// Retries unsettled jobs every `retryInterval` until shutdown begins,
    /// which cancels a retry in flight (the wallet journals before each call).
    private func retryUntilStopping() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.retryPeriodically() }
            await untilStopping()
            group.cancelAll()
        }
    }

    private func retryPeriodically() async {
        // Ticks each second so a changed interval takes effect at once.
        var last = ContinuousClock.now
        while true {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            if ContinuousClock.now - last >= retryInterval {
                last = ContinuousClock.now
                await retryUnsettled()
            }
        }
    }
}
