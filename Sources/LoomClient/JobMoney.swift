import Cashu
import CashuWallet
import LoomProtocol

/// The money at the end of a job: change into the wallet, a refused payment
/// back into it, and a look at the bill. Every token is journaled before the
/// wallet swaps it, and forgotten only once the wallet holds its value.
extension JobClient {
    /// What a client can recompute (PROTOCOL.md, Money on the wire, 6): the
    /// bill is for what we paid, and the charge less dust is the price of
    /// the billed time, rounded up once, or less. A mismatch is reported, not hidden.
    func checkBill(_ bill: Bill, jobID: String) -> [String] {
        var problems: [String] = []
        if let paid = journal.load(jobID)?.paidSat, paid != bill.paidSat.value {
            problems.append("the bill says \(bill.paidSat) sat were paid; this client paid \(paid)")
        }
        let (product, overflow) = bill.msatPerSecond.multipliedReportingOverflow(by: bill.billedMs)
        let priced = product / 1_000_000 + (product % 1_000_000 == 0 ? 0 : 1)
        // Less than the price is possible (the charge is capped at what was paid); more never is.
        if overflow || bill.dustSat > bill.chargedSat || bill.chargedSat.value - bill.dustSat.value > priced {
            problems.append(
                "the bill charges \(bill.chargedSat) sat (dust \(bill.dustSat)); \(bill.billedMs) ms at \(bill.msatPerSecond) msat/s comes to \(priced)"
            )
        }
        return problems
    }

    func redeemChange(_ change: String, jobID: String, into outcome: inout JobOutcome) async {
        guard let wallet else {
            _ = try? journal.update(jobID) { $0.pendingChange = change }
            outcome.warnings.append("no wallet to redeem the change into; it is kept in the client journal")
            return
        }
        // Journal first: if we crash during the swap, the token is still on disk.
        _ = try? journal.update(jobID) { $0.pendingChange = change }
        do {
            let received = try await wallet.receive(change)
            outcome.changeRedeemedSat = received.received
            _ = try? journal.update(jobID) {
                $0.pendingChange = nil; $0.note = "change redeemed: \(received.received) sat"
            }
        } catch WalletError.amountTooSmall(let amount, let fee) {
            // Dust: redeeming it would cost all of it, so no wallet can ever take it. Keeping it
            // "in flight" would flag the job forever; it is part of what the job cost.
            _ = try? journal.update(jobID) {
                $0.pendingChange = nil;
                $0.note = "change of \(amount) sat left unredeemed: the mint's fee to redeem it is \(fee) sat"
            }
            outcome.warnings.append("the change of \(amount) sat is not worth redeeming (the mint's input fee is \(fee) sat)")
        } catch WalletError.mint(.alreadySpent) {
            // Redeemed by an earlier run that crashed before updating the journal (or never ours).
            _ = try? journal.update(jobID) {
                $0.pendingChange = nil; $0.note = "change token already spent"
            }
            outcome.warnings.append("the change token was already spent (redeemed earlier?)")
        } catch {
            outcome.warnings.append(
                "the change could not be redeemed yet (\(error)); it is kept in the client journal and `loom job watch \(jobID)` retries"
            )
        }
    }

    func reclaimPayment(_ jobID: String, into outcome: inout JobOutcome) async {
        switch journal.load(jobID)?.paymentSource {
        case "token"?:
            outcome.warnings.append("the token you passed was not taken; it is still yours to use")
            return
        case "wallet-locked"?:
            outcome.warnings.append(
                "the payment was locked to the worker's key, so it cannot be reclaimed; only that worker can redeem it")
            return
        default: break
        }
        do {
            outcome.reclaimedSat = try await reclaim(jobID)
        } catch {
            outcome.warnings.append("the payment could not be reclaimed: \(error)")
        }
    }

    /// Settles what an earlier run left: change not yet redeemed. Returns what came in.
    public func redeemPendingChange(_ jobID: String) async -> Amount? {
        guard let change = journal.load(jobID)?.pendingChange else { return nil }
        var outcome = JobOutcome(jobID: jobID, worker: "", status: .completed)
        await redeemChange(change, jobID: jobID, into: &outcome)
        _ = try? journal.update(jobID) { if $0.pendingChange == nil && $0.reclaimableToken == nil { $0.stage = .settled } }
        return outcome.changeRedeemedSat
    }
}
