import CashuWallet
import Foundation
import Logging
import LoomProtocol
import Nostr

/// Early admission (`LoomProtocol.EarlyAdmission`, docs/PROTOCOL.md): a job
/// paid with proofs only this worker can spend starts while they are
/// swapped. The swap's answer decides how the job ends: paid, it ends as
/// any job; refused, it stops at once and is refused with the mint's
/// reason; unknown, it stops and waits for the mint like a swap-first job.
extension Worker {
    /// An early job's swap, as its end sees it.
    enum EarlySwap: Sendable {
        case paid(Received)
        case refused(RequestRejection)
        /// The mint's answer is lost: the wallet journaled the swap and `recover()` settles it.
        case unknown
    }

    /// Takes a slot for `admission` if it may start before its swap: the
    /// operator allows it, the token qualifies and a slot is free now (a job
    /// never waits in the queue unpaid). No suspension between the check and
    /// the placement, so no other job takes the slot in between.
    func placeEarly(_ admission: Admission, budget: UInt64) -> Bool {
        guard configuration.earlyAdmission, scheduler.hasFreeSlot else { return false }
        let earliest = EarlyAdmission.earliestLocktime(
            now: Event.now(), budgetSeconds: budget, mintTimeoutSeconds: configuration.mintTimeout.components.seconds)
        if let why = EarlyAdmission.ineligibility(
            admission.token, worker: configuration.secretKey.xOnlyPublicKey, earliestLocktime: earliest)
        {
            logger.debug("swap first", metadata: ["job": "\(admission.request.id)", "why": "\(why.rawValue)"])
            return false
        }
        return scheduler.place(admission.request.id, reserved: true) == .start
    }

    /// Starts the job whose proofs `claim` holds (the wallet refused a
    /// replayed proof there). Nothing waits for the disk on the way to the
    /// backend: the budget and the swap are journaled in the swap's task,
    /// which the job's settlement always waits for. A crash before those
    /// writes loses nothing: the job is journaled `received` with its token,
    /// and recovery swaps it and runs it again.
    func admitEarly(_ id: String, admission: Admission, budget: UInt64, claim: Wallet.ReceiveClaim) async {
        let opened = admission.request, mint = admission.token.mint, desk = self.desk, journal = self.journal
        let crashPoint = configuration.crashPoint
        earlyAdmitted += 1
        // Gone already (cancelled in between): nothing will swap the proofs, so let go of them.
        guard let control = live[id]?.control else { return desk.release(claim) }
        // Detached: a task made here would run on this actor. It waits for
        // the job's first token (at most `swapCueLimit`), so that its fsync'd
        // writes and the mint's work leave the cores to the backend until then.
        live[id]?.earlySwap = Task.detached { [weak self] in
            await control.untilCued(atMost: Self.swapCueLimit)
            // Test hook (CrashRecoveryTests): killed before anything of the swap is journaled.
            if crashPoint == "worker-early-before-swap-journal" { kill(getpid(), SIGKILL) }
            let swapping = ContinuousClock.now
            do { _ = try journal.update(id) { $0.budgetSeconds = budget } } catch {
                self?.logger.error("early job's budget not journaled", metadata: ["job": "\(id)", "error": "\(error)"])
            }
            let outcome: EarlySwap
            do throws(RequestRejection) {
                let pending = try await desk.beginTake(claim, mint: mint, job: id)
                outcome = try await desk.completeTake(pending, mint: mint).map { .paid($0) } ?? .unknown
            } catch { outcome = .refused(error) }
            await self?.swapAnswered(id, after: .now - swapping, outcome)
            return outcome
        }
        start(id, known: .init(budget: budget, rate: configuration.rate, expiresAt: opened.expiresAt))
    }

    /// How long an early job's swap waits for the job's first token: the
    /// longest the worker runs a job before asking the mint (docs/PROTOCOL.md).
    static let swapCueLimit: Duration = .milliseconds(250)

    /// The swap answered while the job may still run: paid, the job is
    /// journaled as paid and running; otherwise it stops now.
    private func swapAnswered(_ id: String, after duration: Duration, _ outcome: EarlySwap) async {
        live[id]?.swap = duration
        switch outcome {
        case .paid(let received): confirmEarly(id, received)
        case .refused, .unknown: live[id]?.control.stop(.unpaid)
        }
    }

    /// The money is the worker's: journaled as for any paid job, then as
    /// running (it is), so a crash from here on settles it as a run. Once.
    func confirmEarly(_ id: String, _ received: Received) {
        guard let job = live[id], !job.earlyConfirmed else { return }
        live[id]?.earlyConfirmed = true
        do {
            _ = try journal.move(id, to: .paymentVerified) {
                $0.inputFeeSat = received.fee.value
                $0.waiting = nil
            }
            _ = try journal.move(id, to: .running) { $0.startedAt = $0.startedAt ?? Event.now() }
        } catch {
            logger.critical("early job's payment not journaled", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        logger.info("early payment swapped", metadata: ["job": "\(id)", "swap_ms": "\(job.swap.map(Self.ms) ?? "?")"])
    }

    /// After an early job's generation: true when it was paid and may be
    /// settled; otherwise it has been refused, or left waiting for the mint
    /// (recovery runs it again once paid), and its slot is free.
    func earlyJobPaid(_ id: String, _ swap: Task<EarlySwap, Never>) async -> Bool {
        let outcome = await swap.value
        guard let job = live[id] else { return false }
        switch outcome {
        case .paid(let received):
            confirmEarly(id, received)
            return true
        case .refused(let why):
            await refuse(id, client: job.opened.client, why, journaled: true, relays: job.opened.relays)
        case .unknown:
            await waitForMint(id, client: job.opened.client, state: .received)
        }
        await slotFreed(id)
        return false
    }
}
