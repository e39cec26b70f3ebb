import Cashu
import LoomProtocol
import LoomTestFixtures
import Testing

@testable import LoomClient

/// The payment the client makes must buy the seconds asked for once the
/// worker's swap has paid the mint's input fee, and not much more.
struct PaymentPlanTests {
    @Test func withoutFeesThePriceIsRoundedUpOnce() throws {
        #expect(try PaymentPlan.amount(forSeconds: 10, rate: testRate, inputFeePpk: 0) == 25)
        // 2500 msat/s × 7 s = 17.5 sat → 18
        #expect(try PaymentPlan.amount(forSeconds: 7, rate: testRate, inputFeePpk: 0) == 18)
    }

    @Test func feesAreAddedUntilTheBudgetStillHolds() throws {
        for ppk: UInt64 in [100, 400, 1000, 2500] {
            for seconds: UInt64 in [5, 7, 39, 60, 600] {
                let amount = try PaymentPlan.amount(forSeconds: seconds, rate: testRate, inputFeePpk: ppk)
                let fee = PaymentPlan.inputFee(of: amount, ppk: ppk)
                let budget = try Pricing.budgetSeconds(paid: amount, inputFee: fee, rate: testRate)
                #expect(budget >= seconds, "ppk \(ppk), \(seconds) s: \(amount) sat buys \(budget) s")
                // One sat less would not do: the plan is the least that works.
                let less = Amount(amount.value - 1)
                let lessBudget =
                    (try? Pricing.budgetSeconds(paid: less, inputFee: PaymentPlan.inputFee(of: less, ppk: ppk), rate: testRate))
                    ?? 0
                #expect(lessBudget < seconds, "ppk \(ppk), \(seconds) s: \(less) sat would have been enough")
            }
        }
    }

    @Test func belowTheMinimumTheMinimumIsBought() throws {
        // min_seconds is 5: asking for 2 s still pays for 5.
        #expect(try PaymentPlan.amount(forSeconds: 2, rate: testRate, inputFeePpk: 0) == 13)
    }

    @Test func inputFeeCountsOneProofPerSetBit() {
        #expect(PaymentPlan.inputFee(of: 64, ppk: 100) == 1)
        #expect(PaymentPlan.inputFee(of: 255, ppk: 100) == 1)  // 8 proofs × 100 ppk = 0.8 → 1
        #expect(PaymentPlan.inputFee(of: 2047, ppk: 100) == 2)  // 11 proofs → 1.1 → 2
        #expect(PaymentPlan.inputFee(of: 100, ppk: 0) == 0)
    }
}

extension PaymentPlanTests {
    @Test func secondsBoughtInvertsTheAmount() throws {
        for ppk: UInt64 in [0, 100, 1000] {
            let amount = try PaymentPlan.amount(forSeconds: 40, rate: testRate, inputFeePpk: ppk)
            #expect(PaymentPlan.seconds(for: amount, rate: testRate, inputFeePpk: ppk) >= 40)
        }
        // 12 sat buys 4.8 s, below the 5-s minimum: nothing.
        #expect(PaymentPlan.seconds(for: 12, rate: testRate, inputFeePpk: 0) == 0)
    }
}
