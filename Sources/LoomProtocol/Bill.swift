import Cashu

/// What a job cost, as the result reports it. All amounts in sat.
///
/// Always balanced: `paid = charged + change + mint_fee`. A client checks
/// that, and that `charged − dust` is the price of `billed_ms` rounded up.
public struct Bill: Sendable, Hashable, Codable {
    public var paidSat: Amount
    /// Price of the billed time plus `dust`.
    public var chargedSat: Amount
    /// Fees the mint kept: the swap of the payment and the swap that made the change.
    public var mintFeeSat: Amount
    /// The value of the change token (0 when there is none).
    public var changeSat: Amount
    /// Leftover too small to return (not above the fee a change swap costs).
    public var dustSat: Amount
    public var msatPerSecond: UInt64
    /// Time served by the backend.
    public var elapsedMs: UInt64
    /// Time charged for: elapsed raised to the minimum, capped at the budget.
    public var billedMs: UInt64
    public var budgetSeconds: UInt64

    public init(
        paidSat: Amount, chargedSat: Amount, mintFeeSat: Amount, changeSat: Amount, dustSat: Amount = .zero,
        msatPerSecond: UInt64, elapsedMs: UInt64, billedMs: UInt64, budgetSeconds: UInt64
    ) {
        self.paidSat = paidSat
        self.chargedSat = chargedSat
        self.mintFeeSat = mintFeeSat
        self.changeSat = changeSat
        self.dustSat = dustSat
        self.msatPerSecond = msatPerSecond
        self.elapsedMs = elapsedMs
        self.billedMs = billedMs
        self.budgetSeconds = budgetSeconds
    }

    enum CodingKeys: String, CodingKey {
        case paidSat = "paid_sat", chargedSat = "charged_sat", mintFeeSat = "mint_fee_sat"
        case changeSat = "change_sat", dustSat = "dust_sat", msatPerSecond = "msat_per_second"
        case elapsedMs = "elapsed_ms", billedMs = "billed_ms", budgetSeconds = "budget_seconds"
    }

    /// The invariant every bill keeps, checked without overflow.
    public func validate() throws(ContentError) {
        let amounts = [
            ("paid_sat", paidSat), ("charged_sat", chargedSat), ("mint_fee_sat", mintFeeSat), ("change_sat", changeSat),
            ("dust_sat", dustSat),
        ]
        for (name, amount) in amounts where amount.value > WireBounds.maxSat {
            throw .invalid(field: "bill.\(name)", reason: "is above \(WireBounds.maxSat) sat")
        }
        guard msatPerSecond <= Rate.maxMsatPerSecond, budgetSeconds <= Rate.maxDurationSeconds else {
            throw .invalid(field: "bill", reason: "price or budget beyond what any offer may state")
        }
        try WireBounds.counter(elapsedMs, "bill.elapsed_ms")
        try WireBounds.counter(billedMs, "bill.billed_ms")
        let parts: Amount
        do { parts = try Amount.sum([chargedSat, changeSat, mintFeeSat]) } catch {
            throw .invalid(field: "bill", reason: "charged + change + mint_fee overflows")
        }
        guard parts == paidSat else {
            throw .invalid(
                field: "bill", reason: "paid_sat \(paidSat) ≠ charged \(chargedSat) + change \(changeSat) + fees \(mintFeeSat)")
        }
        guard dustSat <= chargedSat else { throw .invalid(field: "bill.dust_sat", reason: "exceeds charged_sat") }
        let (budgetMs, overflow) = budgetSeconds.multipliedReportingOverflow(by: 1000)
        guard overflow || billedMs <= budgetMs else {
            throw .invalid(field: "bill.billed_ms", reason: "exceeds the budget")
        }
    }
}
