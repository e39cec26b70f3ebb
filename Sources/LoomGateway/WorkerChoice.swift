import LoomClient
import LoomProtocol

/// What one call asks of a worker: the gateway's caps and the mint's fee.
public struct CallTerms: Sendable, Hashable {
    public var maxTokens: Int?
    public var inputFeePpk: UInt64
    public var maxSeconds: UInt64
    public var capSat: UInt64

    public init(maxTokens: Int? = nil, inputFeePpk: UInt64 = 0, maxSeconds: UInt64 = 60, capSat: UInt64 = .max) {
        self.maxTokens = maxTokens
        self.inputFeePpk = inputFeePpk
        self.maxSeconds = maxSeconds
        self.capSat = capSat
    }
}

/// One worker a call may go to: its offer, the budget the call would buy
/// there, what the call should cost, and the worker's standing with us.
public struct Candidate: Sendable, Hashable {
    public var offer: WorkerOffer
    public var budget: CallBudget
    public var expectedCostMsat: UInt64
    public var standing: WorkerStanding

    public var worker: String { offer.worker }
}

/// Which worker a call goes to next. Pure: live offers, the call's terms,
/// the workers' records, the workers this call already tried, and the
/// gateway's own calls in flight per worker (a worker's advertisement lags
/// its load by a second or more, and two calls arriving together must not
/// both pick the same one-slot worker).
public enum WorkerChoice {
    /// The offers serving `model` that the call may use, and why each other
    /// one may not: over the call's caps (its `min_seconds`, its least
    /// price), or avoided for misconduct.
    public static func candidates(
        _ offers: [WorkerOffer], model: String, terms: CallTerms, standings: [String: WorkerStanding] = [:]
    ) -> (usable: [Candidate], refused: [String]) {
        var usable: [Candidate] = []
        var refused: [String] = []
        for offer in offers where offer.advertisement.models.contains(model) {
            let standing = standings[offer.worker] ?? .new
            if case .avoided(let finding) = standing {
                refused.append(
                    "worker \(offer.advertisement.name) is avoided: it \(finding.explanation) (`loom workers --forgive` clears it)"
                )
                continue
            }
            do {
                let budget = try CallBudget.plan(
                    maxTokens: terms.maxTokens, rate: offer.advertisement.pricing, inputFeePpk: terms.inputFeePpk,
                    maxSeconds: terms.maxSeconds, capSat: terms.capSat)
                let cost = CallBudget.expectedCostMsat(
                    rate: offer.advertisement.pricing, budgetSeconds: budget.seconds, maxTokens: terms.maxTokens)
                usable.append(Candidate(offer: offer, budget: budget, expectedCostMsat: cost, standing: standing))
            } catch {
                refused.append("worker \(offer.advertisement.name): \(error.message)")
            }
        }
        return (usable, refused)
    }

    /// The next worker to try, or nil when none is left.
    ///
    /// Pinned (`--worker`, `X-Loom-Worker`): the pinned workers in the order
    /// given, those not yet tried. Otherwise the cheapest call with room,
    /// then the cheapest of the rest (a queue may still beat no answer);
    /// ties by the model loaded now (`warm`: no seconds paid for loading
    /// it), then a proven worker before a new one, then fewer of our calls
    /// in flight, then by name and key so the order is stable. A new worker
    /// has room for one of our calls at a time: its trial is bounded.
    public static func next(
        _ candidates: [Candidate], model: String, pinned: [String]?, tried: Set<String>, inFlight: [String: Int]
    ) -> Candidate? {
        let open = candidates.filter { !tried.contains($0.worker) }
        if let pinned {
            return pinned.lazy.compactMap { key in open.first { $0.worker == key } }.first
        }
        return open.min { a, b in
            let ra = hasRoom(a, inFlight: inFlight[a.worker] ?? 0), rb = hasRoom(b, inFlight: inFlight[b.worker] ?? 0)
            if ra != rb { return ra }
            if a.expectedCostMsat != b.expectedCostMsat { return a.expectedCostMsat < b.expectedCostMsat }
            let wa = a.offer.advertisement.isWarm(model), wb = b.offer.advertisement.isWarm(model)
            if wa != wb { return wa }
            let ga = a.standing == .good, gb = b.standing == .good
            if ga != gb { return ga }
            let fa = inFlight[a.worker] ?? 0, fb = inFlight[b.worker] ?? 0
            if fa != fb { return fa < fb }
            return (a.offer.advertisement.name, a.worker) < (b.offer.advertisement.name, b.worker)
        }
    }

    /// `next` over bare offers with default terms: what the tests of the ordering use.
    public static func next(
        _ offers: [WorkerOffer], model: String, pinned: [String]?, tried: Set<String>, inFlight: [String: Int],
        terms: CallTerms = CallTerms(), standings: [String: WorkerStanding] = [:]
    ) -> WorkerOffer? {
        let usable = candidates(offers, model: model, terms: terms, standings: standings).usable
        return next(usable, model: model, pinned: pinned, tried: tried, inFlight: inFlight)?.offer
    }

    /// A free slot once our own calls in flight are counted. The offer's
    /// `running` may already include some of them; counting them twice only
    /// spreads calls wider, which is the safe side. A new worker takes one of ours at a time.
    public static func hasRoom(_ candidate: Candidate, inFlight: Int) -> Bool {
        if candidate.standing == .new, inFlight > 0 { return false }
        return hasRoom(candidate.offer, inFlight: inFlight)
    }

    public static func hasRoom(_ offer: WorkerOffer, inFlight: Int) -> Bool {
        let c = offer.advertisement.capacity
        let (load, overflow) = c.running.addingReportingOverflow(inFlight)
        return c.queued == 0 && !overflow && load < c.maxConcurrent
    }
}
