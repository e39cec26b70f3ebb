import Cashu
import LoomClient
import LoomProtocol
import Testing

@testable import LoomGateway

/// The seconds a call buys and what they cost, under the per-call cap.
struct CallBudgetTests {
    let rate = Rate(msatPerSecond: 1000, minSeconds: 2, maxSeconds: 120)

    @Test func defaultIsTheGatewaysSecondsWithinTheWorkersMaximum() throws {
        let b = try CallBudget.plan(maxTokens: nil, rate: rate, inputFeePpk: 0, maxSeconds: 60, capSat: 1000)
        #expect(b.seconds == 60 && b.amount == 60)
        let capped = try CallBudget.plan(maxTokens: nil, rate: rate, inputFeePpk: 0, maxSeconds: 600, capSat: 1000)
        #expect(capped.seconds == 120)
    }

    @Test func maxTokensShortensTheBudget() throws {
        // 20 tokens at 5 tokens/s is 4 s, plus the worker's 2 s minimum.
        let b = try CallBudget.plan(maxTokens: 20, rate: rate, inputFeePpk: 0, maxSeconds: 60, capSat: 1000)
        #expect(b.seconds == 6 && b.amount == 6)
        let tiny = try CallBudget.plan(maxTokens: 1, rate: rate, inputFeePpk: 0, maxSeconds: 2, capSat: 1000)
        #expect(tiny.seconds == 2)
    }

    /// A worker's minimum never raises a call above the gateway's seconds or its cap
    /// (on 222228d a `min_seconds: 99000` offer bought 99,000 s): it is over the call's cap.
    @Test func aMinimumAboveTheCapsIsOverCallCap() {
        let trap = Rate(msatPerSecond: 1, minSeconds: 99_000, maxSeconds: 100_000)
        #expect {
            try CallBudget.plan(maxTokens: nil, rate: trap, inputFeePpk: 0, maxSeconds: 60, capSat: 1_000_000)
        } throws: { error in
            guard case GatewayError.overCallCap(let m) = error else { return false }
            return m.contains("99000 s") && m.contains("--max-seconds-per-call 60")
        }
        let dear = Rate(msatPerSecond: 100_000, minSeconds: 30, maxSeconds: 600)
        #expect(throws: GatewayError.self) {
            try CallBudget.plan(maxTokens: nil, rate: dear, inputFeePpk: 0, maxSeconds: 60, capSat: 100)
        }
    }

    /// What ranks offers is the call's cost, minimum included, and it never overflows.
    @Test func expectedCostCountsTheMinimum() {
        let cheapPerSecond = Rate(msatPerSecond: 10, minSeconds: 50, maxSeconds: 600)
        let plain = Rate(msatPerSecond: 40, minSeconds: 1, maxSeconds: 600)
        let a = CallBudget.expectedCostMsat(rate: cheapPerSecond, budgetSeconds: 60, maxTokens: nil)
        let b = CallBudget.expectedCostMsat(rate: plain, budgetSeconds: 60, maxTokens: nil)
        #expect(a == 500 && b == 400)
        #expect(CallBudget.expectedCostMsat(rate: plain, budgetSeconds: 60, maxTokens: 10) == 80)
        let absurd = Rate(msatPerSecond: .max, minSeconds: .max, maxSeconds: .max)
        #expect(CallBudget.expectedCostMsat(rate: absurd, budgetSeconds: 60, maxTokens: nil) == .max)
    }

    @Test func theCapBuysFewerSecondsWithFeesIncluded() throws {
        let b = try CallBudget.plan(maxTokens: nil, rate: rate, inputFeePpk: 100, maxSeconds: 60, capSat: 10)
        #expect(b.amount.value <= 10)
        #expect(PaymentPlan.seconds(for: b.amount, rate: rate, inputFeePpk: 100) >= b.seconds)
        #expect(b.amount == (try PaymentPlan.amount(forSeconds: b.seconds, rate: rate, inputFeePpk: 100)))
    }

    @Test func overTheCapIs402() {
        #expect {
            try CallBudget.plan(maxTokens: nil, rate: rate, inputFeePpk: 100, maxSeconds: 60, capSat: 2)
        } throws: { error in
            guard case GatewayError.overCallCap(let m) = error else { return false }
            return m.contains("--max-sat-per-call 2") && (error as? GatewayError)?.status == 402
        }
    }
}
