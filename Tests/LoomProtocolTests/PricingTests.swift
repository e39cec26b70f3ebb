import Cashu
import Testing

@testable import LoomProtocol

/// SplitMix64: a seeded generator so a failing property names a seed that reproduces it.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct PricingTests {
    let rate = Fixture.rate  // 2,500 msat/s, 5...600 s

    @Test func minimumPayment() throws {
        #expect(try Pricing.minimumPayment(rate) == 13)  // 12.5 sat rounded up
        #expect(try Pricing.minimumPayment(Rate(msatPerSecond: 400, minSeconds: 0, maxSeconds: 10)) == 1)  // one second
    }

    @Test func budgetRoundsDownAndIsCapped() throws {
        #expect(try Pricing.budgetSeconds(paid: 100, inputFee: 0, rate: rate) == 40)
        #expect(try Pricing.budgetSeconds(paid: 100, inputFee: 1, rate: rate) == 39)  // 39.6 s
        #expect(try Pricing.budgetSeconds(paid: 100_000, inputFee: 0, rate: rate) == 600)  // worker's cap
        #expect(try Pricing.budgetSeconds(paid: 100_000, inputFee: 0, rate: rate, requestMaxSeconds: 30) == 30)
        #expect(throws: PricingError.underpaid(netPaid: 12, needed: 13)) {
            try Pricing.budgetSeconds(paid: 13, inputFee: 1, rate: rate)
        }
        #expect(throws: PricingError.feesExceedPayment(paid: 2, fees: 3)) {
            try Pricing.budgetSeconds(paid: 2, inputFee: 3, rate: rate)
        }
        #expect(throws: PricingError.requestBelowMinimum(requested: 4, minimum: 5)) {
            try Pricing.budgetSeconds(paid: 100, inputFee: 0, rate: rate, requestMaxSeconds: 4)
        }
    }

    @Test func chargeAppliesTheMinimumUnlessTheWorkerFailed() throws {
        // 1.2 s served: a normal end pays for the 5 s minimum; a worker fault for 1.2 s.
        let normal = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: rate, elapsedMs: 1_200, budgetSeconds: 40, cause: .normal)
        #expect(normal.billedMs == 5_000 && normal.chargedSat == 13)
        let fault = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: rate, elapsedMs: 1_200, budgetSeconds: 40, cause: .workerFault)
        #expect(fault.billedMs == 1_200 && fault.chargedSat == 3)
        let none = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: rate, elapsedMs: 0, budgetSeconds: 40, cause: .workerFault)
        #expect(none.chargedSat == 0 && none.changeSat == 100)
    }

    @Test func chargeNeverPassesTheBudget() throws {
        // The backend overran its 40 s stop by 300 ms: the client is not billed for it.
        let bill = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: rate, elapsedMs: 40_300, budgetSeconds: 40, cause: .normal)
        #expect(bill.billedMs == 40_000 && bill.chargedSat == 100 && bill.changeSat == 0)
    }

    @Test func chargeIsRoundedUpOnce() throws {
        // 1 msat/s for 1 ms is 0.000001 sat: still one whole sat.
        let tiny = Rate(msatPerSecond: 1, minSeconds: 0, maxSeconds: 10)
        #expect(try Pricing.charge(rate: tiny, billedMs: 1, netPaid: 10) == 1)
        #expect(try Pricing.charge(rate: tiny, billedMs: 0, netPaid: 10) == 0)
        // 1,500 msat/s for 1,000 ms = 1.5 sat → 2; for 2,000 ms = exactly 3.
        let r = Rate(msatPerSecond: 1_500, minSeconds: 0, maxSeconds: 10)
        #expect(try Pricing.charge(rate: r, billedMs: 1_000, netPaid: 10) == 2)
        #expect(try Pricing.charge(rate: r, billedMs: 2_000, netPaid: 10) == 3)
        #expect(try Pricing.costMsat(rate: r, elapsedMs: 1) == 2)  // 1.5 msat → 2
    }

    @Test func smallLeftoversStayAsDust() throws {
        // 13 sat paid, 12.5 → 13 charged… make the leftover 1 sat with a change swap costing 1.
        let bill = try Pricing.settle(
            paid: 14, inputFee: 0, changeFee: 1, rate: rate, elapsedMs: 5_000, budgetSeconds: 5, cause: .normal)
        #expect(bill.changeSat == 0 && bill.dustSat == 1 && bill.chargedSat == 14 && bill.mintFeeSat == 0)
        let returned = try Pricing.settle(
            paid: 15, inputFee: 0, changeFee: 1, rate: rate, elapsedMs: 5_000, budgetSeconds: 6, cause: .normal)
        #expect(returned.changeSat == 1 && returned.dustSat == 0 && returned.mintFeeSat == 1)
    }

    @Test func overflowIsRefusedNotWrapped() throws {
        #expect(throws: PricingError.overflow) { try Pricing.costMsat(rate: rate, elapsedMs: .max) }
        #expect(throws: PricingError.overflow) { try Pricing.budgetSeconds(paid: Amount(.max), inputFee: 0, rate: rate) }
        let bad = Rate(msatPerSecond: .max, minSeconds: 0, maxSeconds: 1)
        #expect(throws: PricingError.self) { try Pricing.minimumPayment(bad) }
    }

    /// The money invariants over many random jobs: paid = charge + change +
    /// fees, charge ≤ paid, change ≥ 0 (unsigned, and never trapped), the
    /// charge at most the price of the budget plus dust, and a worker fault
    /// never costing more than a normal end.
    @Test(arguments: [UInt64(1), 42, 0xC0FFEE, 7_777_777])
    func invariantsHoldForRandomJobs(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed)
        for _ in 0..<5_000 {
            let maxSeconds = UInt64.random(in: 1...3_600, using: &rng)
            let rate = Rate(
                msatPerSecond: UInt64.random(in: 1...5_000_000, using: &rng),
                minSeconds: UInt64.random(in: 0...min(maxSeconds, 60), using: &rng), maxSeconds: maxSeconds)
            let paid = Amount(UInt64.random(in: 1...2_000_000, using: &rng))
            let inputFee = Amount(UInt64.random(in: 0...min(paid.value, 5), using: &rng))
            let changeFee = Amount(UInt64.random(in: 0...5, using: &rng))
            let requestMax: UInt64? = Bool.random(using: &rng) ? UInt64.random(in: 1...3_600, using: &rng) : nil

            let budget: UInt64
            do {
                budget = try Pricing.budgetSeconds(paid: paid, inputFee: inputFee, rate: rate, requestMaxSeconds: requestMax)
            } catch {
                switch error {
                case .underpaid, .requestBelowMinimum: continue  // refused before any work: nothing to bill
                default: throw error
                }
            }
            #expect(budget >= max(rate.minSeconds, 1) && budget <= rate.maxSeconds && budget <= (requestMax ?? .max))
            // The budget is affordable: its price never exceeds what was paid after fees.
            #expect(
                try Pricing.charge(rate: rate, billedMs: budget * 1000, netPaid: Amount(.max)).value
                    <= paid.value - inputFee.value, "seed \(seed)")

            let elapsed = UInt64.random(in: 0...(budget * 1000 + 2_000), using: &rng)
            for cause in [Pricing.Cause.normal, .workerFault] {
                let bill = try Pricing.settle(
                    paid: paid, inputFee: inputFee, changeFee: changeFee, rate: rate,
                    elapsedMs: elapsed, budgetSeconds: budget, cause: cause)
                try bill.validate()
                #expect(bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value == paid.value, "seed \(seed)")
                #expect(bill.chargedSat <= paid)
                #expect(bill.billedMs <= budget * 1000)
                #expect(bill.dustSat <= changeFee)
                let priced = try Pricing.charge(rate: rate, billedMs: bill.billedMs, netPaid: Amount(.max))
                #expect(bill.chargedSat.value <= priced.value + bill.dustSat.value, "seed \(seed)")
                if cause == .workerFault {
                    #expect(bill.billedMs <= elapsed, "a failing worker bills only time served")
                }
            }
        }
    }
}
