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
        let tiny = try CallBudget.plan(maxTokens: 1, rate: rate, inputFeePpk: 0, maxSeconds: 1, capSat: 1000)
        #expect(tiny.seconds == 2)
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
