import Cashu
import CashuWallet
import Foundation
import LoomProtocol

extension JobClient {
    /// How long after a job's budget has run out a missing result counts as
    /// the worker keeping the payment (`Finding.keptPayment`): a worker stops
    /// at the budget, then uploads and publishes within seconds.
    public static let resultGrace: Duration = .seconds(120)

    /// Follows a job to its end: reports progress through `onProgress`,
    /// then redeems the change, downloads the outputs (decrypted, both hashes
    /// checked, within `outputDeadline`), or reclaims the payment of a rejected
    /// job. `timeout` bounds the wait for a final state; a timeout is an outcome, not an error.
    ///
    /// `readsResult` false follows someone else's job from its public
    /// statuses alone: the outcome has the final state, and no money moves.
    ///
    /// `statusTimeout`: when the worker has said nothing at all by then, the
    /// payment is reclaimed, and if that works the wait ends there (a timeout
    /// with no status and `reclaimedSat` set), so a caller with other workers
    /// (`loom gateway`) can try the next. If the reclaim finds the token spent
    /// (the worker took it) or cannot reach the mint, the wait goes on to
    /// `timeout`: paying another worker then could pay twice.
    public func follow(
        jobID: String, worker: String, readsResult: Bool = true, timeout: Duration = .seconds(600),
        statusTimeout: Duration? = nil, onProgress: @Sendable (JobProgress) -> Void = { _ in }
    ) async throws -> JobOutcome {
        let stream = updates(jobID: jobID, worker: worker, readsResult: readsResult)
        var last: JobProgress?
        var ending: JobEnding?
        var reclaimedEarly: Amount?
        let started = ContinuousClock.now
        let deadline = started + timeout
        let silenceDeadline = statusTimeout.map { started + $0 }
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
            if let silenceDeadline, readsResult {
                group.addTask {
                    try? await Task.sleep(until: silenceDeadline)
                    sink.yield(.silenceDeadline)
                }
            }
            waiting: for await tick in box {
                switch tick {
                case .deadline: break waiting
                case .silenceDeadline:
                    guard last == nil, ending == nil else { continue }
                    if let back = await reclaimForFailover(jobID) {
                        reclaimedEarly = back
                        break waiting
                    }
                case .update(.progress(let p)):
                    last = p
                    onProgress(p)
                case .update(.result(let r)):
                    ending = .result(r)
                case .update(.invalidResult(let r)):
                    ending = .invalid(r)
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
        if let reclaimedEarly {
            var outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
            outcome.reclaimedSat = reclaimedEarly
            _ = try? journal.update(jobID) {
                $0.cause = "silent"
                $0.lastState = "timeout"
                $0.stage = .settled
            }
            return outcome
        }
        return try await settle(
            jobID: jobID, worker: worker, ending: ending, last: last, waited: ContinuousClock.now - started)
    }

    /// What ends or feeds `follow`'s wait.
    enum FollowTick: Sendable {
        case update(JobUpdate)
        case deadline
        case silenceDeadline
    }

    /// How a job's result arrived, if it did.
    enum JobEnding: Sendable {
        case result(ReceivedResult)
        case invalid(InvalidResult)
    }

    /// The payment back from a worker that has said nothing by the status
    /// timeout; nil when it could not be had (spent, the mint unreachable,
    /// or not ours to reclaim), and then the caller must keep following.
    func reclaimForFailover(_ jobID: String) async -> Amount? {
        guard journal.load(jobID)?.paymentSource == "wallet" else { return nil }
        return try? await reclaim(jobID)
    }

    /// The change redeemed (unless an earlier run settled the job) while the
    /// outputs download: neither waits for the other, and neither's failure
    /// stops the other. The change is journaled before its swap, as always.
    func redeemAndDownload(
        _ change: String?, _ outputs: [JobResult.Output], jobID: String, settled: Bool, into outcome: inout JobOutcome
    ) async -> [Finding] {
        let began = ContinuousClock.now
        let blank = JobOutcome(jobID: outcome.jobID, worker: outcome.worker, status: outcome.status)
        async let downloaded: (JobOutcome, [Finding], Duration) = {
            var fetched = blank
            let findings = await self.download(outputs, into: &fetched)
            return (fetched, findings, .now - began)
        }()
        var findings: [Finding] = []
        var redeem: Duration?
        if let change, !settled {
            if let finding = await redeemChange(change, jobID: jobID, into: &outcome) { findings.append(finding) }
            redeem = .now - began
        }
        let (fetched, found, download) = await downloaded
        outcome.outputs += fetched.outputs
        outcome.output = fetched.output
        outcome.warnings += fetched.warnings
        outcome.settling = .init(began: began, redeem: redeem, download: download)
        return findings + found
    }

    /// Turns what was seen into an outcome and settles the money: the change
    /// redeemed beside the outputs' download, each bounded.
    func settle(
        jobID: String, worker: String, ending: JobEnding?, last: JobProgress?, waited: Duration = .zero
    ) async throws -> JobOutcome {
        var outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
        outcome.lastProgress = last
        // A job settled by an earlier run (watching it again) has no money left to move.
        let alreadySettled = journal.load(jobID)?.stage == .settled
        var findings: [Finding] = []
        switch ending {
        case .result(let received)?:
            let r = received.result
            outcome.status = JobOutcome.Status(rawValue: r.status.rawValue) ?? .failed
            outcome.usage = r.usage
            outcome.bill = r.bill
            outcome.error = r.error
            outcome.resultEventID = received.eventID
            if let bill = r.bill {
                let (problems, found) = checkBill(bill, jobID: jobID)
                outcome.warnings += problems
                findings += found
            }
            if let uploadError = r.uploadError {
                outcome.warnings.append("the worker could not upload the outputs: \(uploadError)")
            }
            findings += await redeemAndDownload(r.change, r.outputs, jobID: jobID, settled: alreadySettled, into: &outcome)
        case .invalid(let bad)?:
            outcome.status = .failed
            outcome.error = Reason(
                code: Finding.invalidResult.rawValue, message: "the worker's result breaks the protocol: \(bad.reason)")
            outcome.resultEventID = bad.eventID
            findings.append(.invalidResult)
            if let change = bad.change, !alreadySettled {
                if let finding = await redeemChange(change, jobID: jobID, into: &outcome) { findings.append(finding) }
            }
        case nil:
            if let last, last.state == .rejected {
                outcome.status = .rejected
                outcome.error = last.reason
            }
        }
        switch outcome.status {
        case _ where alreadySettled:
            break
        case .rejected:
            // Rejected means nothing was taken: the payment is still ours.
            if await reclaimPayment(jobID, into: &outcome) == .spent { findings.append(.keptPayment) }
        case .timeout where last == nil || last?.state == .received:
            // Not a word from the worker (or only "received", never "payment-verified"): it
            // never took the money, or it did and the reclaim fails as spent.
            let reclaim = await reclaimPayment(jobID, into: &outcome)
            if reclaim == .spent { findings.append(.keptPayment) }
            if outcome.reclaimedSat == nil, journal.load(jobID)?.reclaimableToken != nil {
                outcome.warnings.append("the payment is still in the client journal; `loom job watch \(jobID)` tries again")
            }
        case .timeout:
            // The worker holds the money and owes a result: keep watching later. Long
            // after its budget ran out, that is the worker keeping the payment.
            if let budget = last?.budgetSeconds, waited >= .seconds(Int64(budget)) + Self.resultGrace {
                findings.append(.keptPayment)
            }
        default:
            // The worker took the payment; the bill accounts for it.
            _ = try? journal.update(jobID) { $0.reclaimableToken = nil }
        }
        for finding in findings where finding.isMisconduct {
            outcome.warnings.append("worker \(worker.prefix(16)) \(finding.explanation) (\(finding.rawValue))")
        }
        outcome.findings = findings
        record(outcome, jobID: jobID, findings: findings, alreadySettled: alreadySettled, waited: waited)
        return outcome
    }

    /// Writes what the worker record needs, and settles the journal entry when no money is left in flight.
    func record(_ outcome: JobOutcome, jobID: String, findings: [Finding], alreadySettled: Bool, waited: Duration) {
        guard !alreadySettled else { return }
        _ = try? journal.update(jobID) {
            // A result after all clears the provisional `kept-payment` of an earlier, shorter wait.
            let earlier = ($0.findings ?? []).filter { outcome.resultEventID == nil || $0 != Finding.keptPayment.rawValue }
            $0.findings = Array(Set(earlier + findings.map(\.rawValue))).sorted()
            if let bill = outcome.bill {
                $0.chargedSat = bill.chargedSat.value
                $0.billedMs = bill.billedMs
            }
            if let usage = outcome.usage { $0.completionTokens = usage.completionTokens }
            if outcome.resultEventID != nil { $0.resultMs = Self.milliseconds(waited) }
            $0.cause = outcome.error?.code ?? (outcome.status == .timeout && outcome.lastProgress == nil ? "silent" : nil)
            if outcome.status != .timeout {
                $0.lastState = outcome.status.rawValue
                if $0.pendingChange == nil && $0.reclaimableToken == nil { $0.stage = .settled }
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(seconds, 0)) * 1000 + UInt64(max(attoseconds, 0) / 1_000_000_000_000_000)
    }
}
