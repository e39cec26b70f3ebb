import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport

/// The invariants of a chaos run, checked against the mint's own view.
/// Every violation is collected (none stops the others) with its job and
/// numbers, so one failing seed tells the whole story.
struct ChaosLedger {
    struct Violation {
        let ticket: Ticket?
        let message: String
    }

    let tickets: [Ticket]
    let o: Observation
    /// Whether carol's own swap of a ticket went through (nil: unknown).
    let clientSpent: [String: Bool?]
    /// The proxy's log: how often each job's proofs went to the mint.
    let decisions: [MintProxy.Decision]
    private(set) var violations: [Violation] = []

    // The money equation: paid on taken jobs = kept + change + fees.
    private(set) var taken = 0
    private(set) var paidTaken: UInt64 = 0
    var kept: UInt64 = 0
    private(set) var changeOut: UInt64 = 0
    private(set) var fees: UInt64 = 0
    /// Input fees of payments taken by jobs that never got a bill (from the journal).
    private(set) var unbilledFees: UInt64 = 0
    private(set) var chargedOnRelay: UInt64 = 0

    init(tickets: [Ticket], observation: Observation, clientSpent: [String: Bool?], decisions: [MintProxy.Decision]) {
        self.tickets = tickets
        o = observation
        self.clientSpent = clientSpent
        self.decisions = decisions
    }

    /// More swap requests than this for one job's payment or change is a
    /// retry loop, not recovery: a restart or a failure costs one or two each.
    static let retryLimit = 12

    mutating func fail(_ ticket: Ticket?, _ message: String) { violations.append(Violation(ticket: ticket, message: message)) }

    mutating func check() {
        for ticket in tickets {
            checkJob(ticket)
            checkRetries(ticket)
        }
        checkChange()
        checkWallet()
        let accounted = kept + changeOut + fees + unbilledFees
        if paidTaken != accounted {
            fail(
                nil,
                "money: clients paid \(paidTaken) sat on the \(taken) jobs the worker took; the worker keeps \(kept) (unspent at the mint) + change delivered \(changeOut) + mint fees billed \(fees) + payment fees of unsettled jobs \(unbilledFees) = \(accounted): \(Int64(paidTaken) - Int64(accounted)) sat unaccounted"
            )
        }
    }

    var publishedChange: Set<String> { Set(o.changeProofs.keys) }

    // MARK: one job

    mutating func checkJob(_ t: Ticket) {
        let states = o.mintState(t.ys)
        let spent = states.filter { $0 == .spent }.count
        if states.contains(where: { $0 == .pending }) { fail(t, "payment proofs still PENDING at the mint") }
        if spent > 0 && spent < t.ys.count { fail(t, "only \(spent) of \(t.ys.count) payment proofs are spent at the mint") }
        let carol = clientSpent[t.id] ?? nil
        if carol == nil { fail(t, "carol's wallet cannot tell whether her own swap of this token went through") }
        let tokenSpent = spent == t.ys.count
        let isTaken = tokenSpent && carol != true
        if carol == true && !tokenSpent { fail(t, "carol's wallet says she swapped the token, but the mint says it is unspent") }

        let results = o.results[t.id] ?? []
        for r in results where r.opened == nil {
            fail(t, "result \(r.eventID.prefix(8)) cannot be opened: \(r.unreadable ?? "?")")
        }
        let opened = results.compactMap(\.opened)
        let billed = opened.filter { $0.result.bill != nil }
        let status = o.statuses[t.id]
        let journal = o.journal[t.id]
        let ended = opened.first?.result.status ?? status?.status.status
        let reason = status?.status.reason.map { " (\($0.code): \($0.message.prefix(120)))" } ?? ""
        let stuck = !(ended?.isTerminal ?? false)
        let taking =
            isTaken
            ? "; the worker took its \(t.job.amount) sat"
            : carol == true && (journal?.state.holdsPayment ?? false)
                ? "; carol swapped this token herself, yet the worker holds the job as paid" : ""
        if stuck {
            fail(
                t,
                "stuck: newest status \(status?.status.status.rawValue ?? "none")\(reason), journal \(journal?.state.rawValue ?? "no row")\(taking)"
            )
        } else if let journal, !journal.state.isTerminal {
            fail(t, "the journal leaves it at \(journal.state) while the relay shows \(ended!)")
        }

        if isTaken {
            taken += 1
            paidTaken += t.job.amount
            if results.count > 1 {
                fail(t, "the worker took its \(t.job.amount) sat and published \(results.count) results (exactly 1 expected)")
            } else if billed.isEmpty && !stuck {
                fail(
                    t,
                    "the worker took its \(t.job.amount) sat, yet the job ended \(ended!)\(reason) with no result carrying a bill"
                )
            }
            for r in billed { checkBill(t, r.result) }
            if let bill = billed.first?.result.bill {
                fees += bill.mintFeeSat.value
                chargedOnRelay += bill.chargedSat.value
            } else {
                unbilledFees += journal?.inputFeeSat ?? 0
            }
        } else {
            if let r = billed.first?.result, let bill = r.bill {
                let why =
                    carol == true ? "ran unpaid: carol swapped the token herself at the mint" : "its token is unspent at the mint"
                fail(
                    t,
                    "\(why), yet the worker published a \(r.status) result charging \(bill.chargedSat) sat with \(bill.changeSat) sat change"
                )
            }
            if let ended, ended.isTerminal, billed.isEmpty, ended != .rejected, ended != .cancelled {
                fail(t, "ended \(ended) without the worker taking the token (rejected or cancelled expected)")
            }
        }
        let changes = Set(opened.compactMap(\.result.change))
        if changes.count > 1 { fail(t, "\(changes.count) different change tokens were published for this one job") }
    }

    /// Swap requests carrying the job's payment, or made by its change operations.
    mutating func checkRetries(_ t: Ticket) {
        let trail = JobTrail(t, observation: o, decisions: decisions)
        for part in [JobTrail.Part.payment, .change] {
            let swaps = trail.swaps(part)
            guard swaps.count > Self.retryLimit else { continue }
            let refused = swaps.filter { $0.decision == "error" || $0.decision == "burst" }.count
            fail(
                t,
                "its \(part) swap went to the mint \(swaps.count) times (\(refused) of them answered 5xx by the proxy): a retry without bound"
            )
        }
    }

    mutating func checkBill(_ t: Ticket, _ r: JobResult) {
        guard let bill = r.bill else { return }
        if bill.paidSat.value != t.job.amount {
            fail(t, "bill says paid \(bill.paidSat) sat, the token was worth \(t.job.amount)")
        }
        let sum = bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value
        if bill.paidSat.value != sum {
            fail(
                t,
                "unbalanced bill: paid \(bill.paidSat) ≠ charged \(bill.chargedSat) + change \(bill.changeSat) + fees \(bill.mintFeeSat)"
            )
        }
        if ![.completed, .failed, .cancelled].contains(r.status) { fail(t, "a \(r.status) result carries a bill") }
    }

    // MARK: change tokens

    /// Each published change token unspent at the mint, no proof in two places.
    mutating func checkChange() {
        var seen: [String: String] = [:]  // Y → where it was counted
        for (token, proofs) in o.changeProofs {
            let owner = tickets.first { t in (o.results[t.id] ?? []).contains { $0.opened?.result.change == token } }
            for p in proofs {
                guard let y = try? p.Y().hex else { continue }
                if let other = seen[y] { fail(owner, "a change proof (\(p.amount) sat) appears twice: also in \(other)") }
                seen[y] = owner?.job.label ?? "?"
                switch o.mint[y] {
                case .unspent: changeOut += p.amount.value
                case .spent:
                    fail(owner, "change proof of \(p.amount) sat is already SPENT at the mint, though no client redeemed it")
                default: fail(owner, "change proof of \(p.amount) sat is \(o.mint[y]?.rawValue ?? "unknown") at the mint")
                }
            }
        }
        for proof in o.proofs where proof.state == "unspent" {
            if let other = seen[proof.y] {
                fail(nil, "a \(proof.amount)-sat proof is both in the worker's wallet and in the change of \(other)")
            }
        }
    }
}
