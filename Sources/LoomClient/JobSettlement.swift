import Cashu
import CashuWallet
import Foundation
import LoomProtocol

extension JobClient {
    /// Follows a job to its end: reports progress through `onProgress`,
    /// then downloads the outputs (decrypted, both hashes checked), redeems the change, or
    /// reclaims the payment of a rejected job. `timeout` bounds the wait for
    /// a final state; a timeout is an outcome, not an error.
    ///
    /// `readsResult` false follows someone else's job from its public
    /// statuses alone: the outcome has the final state, and no money moves.
    ///
    /// `statusTimeout` ends the wait early when the worker has said nothing
    /// at all by then: a timeout with no status, so the payment is reclaimed
    /// and a caller with other workers (`loom gateway`) can try the next one.
    public func follow(
        jobID: String, worker: String, readsResult: Bool = true, timeout: Duration = .seconds(600),
        statusTimeout: Duration? = nil, onProgress: @Sendable (JobProgress) -> Void = { _ in }
    ) async throws -> JobOutcome {
        let stream = updates(jobID: jobID, worker: worker, readsResult: readsResult)
        var last: JobProgress?
        var result: ReceivedResult?
        let deadline = ContinuousClock.now + timeout
        let silenceDeadline = statusTimeout.map { ContinuousClock.now + $0 }
        // The stream ends on its own at the result; the timers' ticks end the
        // wait at the deadline, or at the silence deadline if nothing came yet.
        await withTaskGroup(of: Void.self) { group in
            let (box, sink) = AsyncStream.makeStream(of: FollowTick.self)
            group.addTask {
                for await update in stream { sink.yield(.update(update)) }
                sink.finish()
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                sink.yield(.deadline)
                sink.finish()
            }
            if let silenceDeadline {
                group.addTask {
                    try? await Task.sleep(until: silenceDeadline)
                    sink.yield(.silenceDeadline)
                }
            }
            waiting: for await tick in box {
                switch tick {
                case .deadline: break waiting
                case .silenceDeadline: if last == nil && result == nil { break waiting }
                case .update(.progress(let p)):
                    last = p
                    onProgress(p)
                case .update(.result(let r)):
                    result = r
                case .update(.chunk):
                    break  // Not asked for here; `stream` reads them.
                }
            }
            group.cancelAll()
        }
        guard readsResult else {
            var outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
            outcome.lastProgress = last
            if let last, last.state.isTerminal {
                outcome.status = JobOutcome.Status(rawValue: last.state.rawValue) ?? .failed
                outcome.error = last.reason
            }
            return outcome
        }
        return try await settle(jobID: jobID, worker: worker, result: result, last: last)
    }

    /// What ends or feeds `follow`'s wait.
    enum FollowTick: Sendable {
        case update(JobUpdate)
        case deadline
        case silenceDeadline
    }

    /// Turns what was seen into an outcome and settles the money.
    func settle(jobID: String, worker: String, result: ReceivedResult?, last: JobProgress?) async throws -> JobOutcome {
        var outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
        outcome.lastProgress = last
        // A job settled by an earlier run (watching it again) has no money left to move.
        let alreadySettled = journal.load(jobID)?.stage == .settled
        if let received = result {
            let r = received.result
            outcome.status = JobOutcome.Status(rawValue: r.status.rawValue) ?? .failed
            outcome.usage = r.usage
            outcome.bill = r.bill
            outcome.error = r.error
            outcome.resultEventID = received.eventID
            if let bill = r.bill { outcome.warnings += checkBill(bill, jobID: jobID) }
            if let uploadError = r.uploadError {
                outcome.warnings.append("the worker could not upload the outputs: \(uploadError)")
            }
            await download(r.outputs, into: &outcome)
            if let change = r.change, !alreadySettled { await redeemChange(change, jobID: jobID, into: &outcome) }
        } else if let last, last.state == .rejected {
            outcome.status = .rejected
            outcome.error = last.reason
        }
        switch outcome.status {
        case _ where alreadySettled:
            break
        case .rejected:
            // Rejected means nothing was taken: the payment is still ours.
            await reclaimPayment(jobID, into: &outcome)
        case .timeout where last == nil:
            // Not a word from the worker: it never took the money, or it
            // did and the reclaim fails as spent. Either way nothing is lost.
            await reclaimPayment(jobID, into: &outcome)
            if outcome.reclaimedSat == nil, journal.load(jobID)?.reclaimableToken != nil {
                outcome.warnings.append("the payment is still in the client journal; `loom job watch \(jobID)` tries again")
            }
        case .timeout:
            break  // The worker holds the money and owes a result: keep watching later.
        default:
            // The worker took the payment; the bill accounts for it.
            _ = try? journal.update(jobID) { $0.reclaimableToken = nil }
        }
        if outcome.status != .timeout {
            _ = try? journal.update(jobID) {
                $0.lastState = outcome.status.rawValue
                if $0.pendingChange == nil && $0.reclaimableToken == nil { $0.stage = .settled }
            }
        }
        return outcome
    }
}
