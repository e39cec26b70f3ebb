import Cashu

/// Why a price computation refused to give an answer.
public enum PricingError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidRate(ContentError)
    case overflow
    /// Mint fees alone use up the payment.
    case feesExceedPayment(paid: Amount, fees: Amount)
    /// The payment after fees does not buy `minimumSeconds` (or one second).
    case underpaid(netPaid: Amount, needed: Amount)
    /// The request's own `max_seconds` is below what the worker charges at least.
    case requestBelowMinimum(requested: UInt64, minimum: UInt64)

    public var description: String {
        switch self {
        case .invalidRate(let e): "invalid price: \(e)"
        case .overflow: "amount overflows a 64-bit integer"
        case .feesExceedPayment(let paid, let fees): "mint fees of \(fees) sat use up the \(paid) sat paid"
        case .underpaid(let net, let needed): "payment is \(net) sat after mint fees; at least \(needed) sat is needed"
        case .requestBelowMinimum(let requested, let minimum):
            "request max_seconds \(requested) is below the worker's minimum of \(minimum) s"
        }
    }
}

/// All money math of a job, in one place, integer only.
///
/// Rounding always favours the party who did not choose the number: the
/// budget is rounded down (the client never gets seconds it did not pay for
/// from a worker that would then run at a loss), the charge is rounded up to a
/// whole sat once (a worker never works a fraction of a sat for free), and the
/// charge is capped by what was paid, so change is never negative.
public enum Pricing {
    /// Who ended the job, which decides whether `minSeconds` applies.
    public enum Cause: Sendable, Hashable {
        /// Completed, budget reached, or cancelled by the client: `minSeconds` applies.
        case normal
        /// Backend down, model missing, crash, shutdown: only the time served is charged.
        case workerFault
        /// The worker failed and the client got nothing for the time served
        /// (a restart lost the output, or no Blossom server took it):
        /// nothing is charged.
        case nothingDelivered
    }

    /// The smallest payment, after mint fees, that the worker accepts:
    /// the price of `minSeconds` (or of one second when there is no minimum).
    public static func minimumPayment(_ rate: Rate) throws(PricingError) -> Amount {
        try validated(rate)
        return try satRoundedUp(msatPerSecond: rate.msatPerSecond, milliseconds: max(rate.minSeconds, 1) * 1000)
    }

    /// Whole seconds the payment buys: floor((paid − fees) × 1000 / price),
    /// capped by the worker's `maxSeconds` and the request's `max_seconds`.
    public static func budgetSeconds(
        paid: Amount, inputFee: Amount, rate: Rate, requestMaxSeconds: UInt64? = nil
    ) throws(PricingError) -> UInt64 {
        try validated(rate)
        let floor = max(rate.minSeconds, 1)
        if let requested = requestMaxSeconds, requested < floor {
            throw .requestBelowMinimum(requested: requested, minimum: floor)
        }
        let net = try netPaid(paid: paid, fees: inputFee)
        let netMsat = try multiply(net.value, 1000)
        let bought = netMsat / rate.msatPerSecond
        guard bought >= floor else { throw .underpaid(netPaid: net, needed: try minimumPayment(rate)) }
        return min(bought, rate.maxSeconds, requestMaxSeconds ?? .max)
    }

    /// The running cost in msat after `elapsedMs`, rounded up; what status events show.
    public static func costMsat(rate: Rate, elapsedMs: UInt64) throws(PricingError) -> UInt64 {
        let product = try multiply(rate.msatPerSecond, elapsedMs)
        return product / 1000 + (product % 1000 == 0 ? 0 : 1)
    }

    /// Milliseconds billed: at least `minSeconds` for a normal end, never more
    /// than the budget, and only the time served when the worker is at fault.
    public static func billedMilliseconds(
        rate: Rate, elapsedMs: UInt64, budgetSeconds: UInt64, cause: Cause
    ) throws(PricingError) -> UInt64 {
        if cause == .nothingDelivered { return 0 }
        let budgetMs = try multiply(budgetSeconds, 1000)
        let floorMs = cause == .normal ? try multiply(rate.minSeconds, 1000) : 0
        return min(max(elapsedMs, floorMs), budgetMs)
    }

    /// The price of `billedMs`, rounded up once to a whole sat, capped at `netPaid`.
    public static func charge(rate: Rate, billedMs: UInt64, netPaid: Amount) throws(PricingError) -> Amount {
        min(try satRoundedUp(msatPerSecond: rate.msatPerSecond, milliseconds: billedMs), netPaid)
    }

    /// The whole bill of a finished job.
    ///
    /// `inputFee` is what the mint kept when the worker swapped the client's
    /// proofs; `changeFee` is what producing the change costs. When what is
    /// left after the charge does not exceed `changeFee`, returning it would
    /// cost more than it is worth: it stays with the worker as `dust` (shown
    /// in the bill, part of `charged`) and no change is made.
    public static func settle(
        paid: Amount, inputFee: Amount, changeFee: Amount, rate: Rate,
        elapsedMs: UInt64, budgetSeconds: UInt64, cause: Cause
    ) throws(PricingError) -> Bill {
        try validated(rate)
        let net = try netPaid(paid: paid, fees: inputFee)
        let billedMs = try billedMilliseconds(rate: rate, elapsedMs: elapsedMs, budgetSeconds: budgetSeconds, cause: cause)
        let priced = try charge(rate: rate, billedMs: billedMs, netPaid: net)
        let rest = Amount(net.value - priced.value)
        let change: Amount, fees: Amount, dust: Amount
        if rest > changeFee {
            change = Amount(rest.value - changeFee.value)
            fees = try add(inputFee, changeFee)
            dust = .zero
        } else {
            change = .zero
            fees = inputFee
            dust = rest
        }
        let bill = Bill(
            paidSat: paid, chargedSat: try add(priced, dust), mintFeeSat: fees, changeSat: change, dustSat: dust,
            msatPerSecond: rate.msatPerSecond, elapsedMs: elapsedMs, billedMs: billedMs, budgetSeconds: budgetSeconds)
        assert((try? bill.validate()) != nil, "settle must always produce a balanced bill")
        return bill
    }

    // MARK: checked arithmetic

    static func validated(_ rate: Rate) throws(PricingError) {
        do { try rate.validate() } catch { throw .invalidRate(error) }
    }

    static func netPaid(paid: Amount, fees: Amount) throws(PricingError) -> Amount {
        guard fees <= paid else { throw .feesExceedPayment(paid: paid, fees: fees) }
        return Amount(paid.value - fees.value)
    }

    /// ceil(msat/s × ms / 1_000_000): one rounding from msat·ms to sat.
    static func satRoundedUp(msatPerSecond: UInt64, milliseconds: UInt64) throws(PricingError) -> Amount {
        let product = try multiply(msatPerSecond, milliseconds)
        return Amount(product / 1_000_000 + (product % 1_000_000 == 0 ? 0 : 1))
    }

    static func multiply(_ a: UInt64, _ b: UInt64) throws(PricingError) -> UInt64 {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw .overflow }
        return p
    }

    static func add(_ a: Amount, _ b: Amount) throws(PricingError) -> Amount {
        do { return try a.adding(b) } catch { throw .overflow }
    }
}
