import Cashu
import CashuWallet
import LoomProtocol

/// The money at the end of a job: change into the wallet, a refused payment
/// back into it, and a look at the bill. Every token is journaled before the
/// wallet swaps it, and forgotten only once the wallet holds its value.
extension JobClient {
    /// What a client can recompute (PROTOCOL.md, Money on the wire, 6): the
    /// bill is for what we paid, at no more than the offer's price, and the
    /// charge less dust is the price of the billed time, rounded up once, or
    /// less. A mismatch is reported and counted against the worker, not hidden.
    func checkBill(_ bill: Bill, jobID: String) -> (problems: [String], findings: [Finding]) {
        var problems: [String] = []
        var findings: [Finding] = []
        let job = journal.load(jobID)
        if let paid = job?.paidSat, paid != bill.paidSat.value {
            problems.append("the bill says \(bill.paidSat) sat were paid; this client paid \(paid)")
            findings.append(.billWrongPaid)
        }
        if let offered = job?.offerMsatPerSecond, bill.msatPerSecond > offered {
            problems.append("the bill's price is \(bill.msatPerSecond) msat/s; the worker's offer said \(offered) msat/s")
            findings.append(.billOverPrice)
        }
        let (product, overflow) = bill.msatPerSecond.multipliedReportingOverflow(by: bill.billedMs)
        let priced = product / 1_000_000 + (product % 1_000_000 == 0 ? 0 : 1)
        // Less than the price is possible (the charge is capped at what was paid); more never is.
        if overflow || bill.dustSat > bill.chargedSat || bill.chargedSat.value - bill.dustSat.value > priced {
            problems.append(
                "the bill charges \(bill.chargedSat) sat (dust \(bill.dustSat)); \(bill.billedMs) ms at \(bill.msatPerSecond) msat/s comes to \(priced)"
            )
            if !findings.contains(.billOverPrice) { findings.append(.billOverPrice) }
        }
        return (problems, findings)
    }

    /// Redeems a change token; returns what it says about the worker when
    /// the token is not good money (fake, spent, locked elsewhere, another
    /// mint). A mint that cannot be reached says nothing about the worker:
    /// the token stays in the journal for `loom job watch`.
    @discardableResult
    func redeemChange(_ change: String, jobID: String, into outcome: inout JobOutcome) async -> Finding? {
        guard let wallet else {
            _ = try? journal.update(jobID) { $0.pendingChange = change }
            outcome.warnings.append("no wallet to redeem the change into; it is kept in the client journal")
            return nil
        }
        // Journal first: if we crash during the swap, the token is still on disk.
        _ = try? journal.update(jobID) { $0.pendingChange = change }
        do {
            let received = try await wallet.receive(change, reference: Self.changeReference(jobID))
            outcome.changeRedeemedSat = received.received
            _ = try? journal.update(jobID) {
                $0.pendingChange = nil
                $0.note = "change redeemed: \(received.received) sat"
                $0.returnedSat = ($0.returnedSat ?? 0) + received.received.value
            }
            return nil
        } catch WalletError.amountTooSmall(let amount, let fee) {
            // Dust: redeeming it would cost all of it, so no wallet can ever take it. Keeping it
            // "in flight" would flag the job forever; it is part of what the job cost.
            forget(jobID, note: "change of \(amount) sat left unredeemed: the mint's fee to redeem it is \(fee) sat")
            outcome.warnings.append("the change of \(amount) sat is not worth redeeming (the mint's input fee is \(fee) sat)")
            return nil
        } catch WalletError.alreadyReceived {
            // Taken for this job by an earlier run that crashed before updating the journal; or
            // taken for another job: the worker sent the same change twice.
            if case .taken(let earlier)? = try? await wallet.receipt(reference: Self.changeReference(jobID)) {
                outcome.changeRedeemedSat = earlier.received
                forget(jobID, note: "change redeemed: \(earlier.received) sat")
                _ = try? journal.update(jobID) { $0.returnedSat = max($0.returnedSat ?? 0, earlier.received.value) }
                return nil
            }
            forget(jobID, note: "change refused: the same token was already received for another job")
            outcome.warnings.append("the change token is one this wallet already received for another job")
            return .spentChange
        } catch let error as WalletError {
            guard let finding = Self.changeFinding(error) else {
                outcome.warnings.append(
                    "the change could not be redeemed yet (\(error)); it is kept in the client journal and `loom job watch \(jobID)` retries"
                )
                return nil
            }
            // Never good money, whatever happens later: keeping it "in flight" would only hide the loss.
            forget(jobID, note: "change refused: \(error)")
            outcome.warnings.append("the change token is worthless: \(error)")
            return finding
        } catch {
            outcome.warnings.append(
                "the change could not be redeemed yet (\(error)); it is kept in the client journal and `loom job watch \(jobID)` retries"
            )
            return nil
        }
    }

    /// The wallet operation's label for a job's change: finds an earlier run's receive.
    static func changeReference(_ jobID: String) -> String { "change:\(jobID)" }

    private func forget(_ jobID: String, note: String) {
        _ = try? journal.update(jobID) {
            $0.pendingChange = nil
            $0.note = note
        }
    }

    /// What a wallet's refusal of a change token says about the worker that
    /// sent it; nil when it says nothing (the mint unreachable or undecided).
    static func changeFinding(_ error: WalletError) -> Finding? {
        switch error {
        case .wrongMint, .wrongUnit: .foreignChange
        case .lockedToAnotherKey: .lockedChange
        case .token, .unknownKeyset, .dleqInvalid: .fakeChange
        case .mint(.alreadySpent), .mint(.proofsPending): .spentChange
        case .mint(.proofVerificationFailed), .mint(.keysetUnknown), .mint(.transactionUnbalanced): .fakeChange
        default: nil
        }
    }

    /// How a reclaim went.
    enum ReclaimResult: Sendable, Equatable {
        case reclaimed
        /// The mint says the token is spent: the worker took it.
        case spent
        /// Not ours to reclaim (a token the user gave, or locked to the worker), or nothing left to reclaim.
        case notOurs
        /// The mint could not say now; the token stays in the journal.
        case unknown
    }

    @discardableResult
    func reclaimPayment(_ jobID: String, into outcome: inout JobOutcome) async -> ReclaimResult {
        switch journal.load(jobID)?.paymentSource {
        case "token"?:
            outcome.warnings.append("the token you passed was not taken; it is still yours to use")
            return .notOurs
        case "wallet-locked"?:
            outcome.warnings.append(
                "the payment was locked to the worker's key, so it cannot be reclaimed; only that worker can redeem it")
            return .notOurs
        default: break
        }
        guard journal.load(jobID)?.reclaimableToken != nil else { return .notOurs }
        do {
            outcome.reclaimedSat = try await reclaim(jobID)
            return .reclaimed
        } catch ClientError.paymentTaken {
            outcome.warnings.append("the payment could not be reclaimed: \(ClientError.paymentTaken)")
            return .spent
        } catch {
            outcome.warnings.append("the payment could not be reclaimed: \(error)")
            return .unknown
        }
    }

    /// Settles what an earlier run left: change not yet redeemed. Returns what came in.
    public func redeemPendingChange(_ jobID: String) async -> Amount? {
        guard let change = journal.load(jobID)?.pendingChange else { return nil }
        var outcome = JobOutcome(jobID: jobID, worker: "", status: .completed)
        let finding = await redeemChange(change, jobID: jobID, into: &outcome)
        _ = try? journal.update(jobID) {
            if let finding { $0.findings = Array(Set(($0.findings ?? []) + [finding.rawValue])).sorted() }
            if $0.pendingChange == nil && $0.reclaimableToken == nil { $0.stage = .settled }
        }
        return outcome.changeRedeemedSat
    }
}
