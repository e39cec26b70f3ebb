import Cashu
import LoomClient
import LoomProtocol

/// How many seconds of a worker's time one call buys, and what that costs.
///
/// A worker sells seconds, while an OpenAI caller thinks in tokens. The
/// budget is the gateway's `maxSeconds` (default 60), shortened when the
/// call names `max_tokens` (at `assumedTokensPerSecond`, a slow worker's
/// pace, plus the worker's minimum), clamped to what the worker sells, then
/// cut to what `--max-sat-per-call` buys. Unused seconds come back as change,
/// so overestimating costs only mint fees and money in flight.
///
/// A worker's `min_seconds` never raises a call above its caps: one whose
/// least sale is longer than `maxSeconds` or dearer than `capSat` is
/// `overCallCap`, and the gateway tries the next worker.
public struct CallBudget: Sendable, Hashable {
    public var seconds: UInt64
    /// The payment for `seconds`, mint input fee included (`PaymentPlan`).
    public var amount: Amount

    /// Tokens per second a budget from `max_tokens` assumes: slow enough for a small CPU worker.
    public static let assumedTokensPerSecond: UInt64 = 5

    public static func plan(
        maxTokens: Int?, rate: Rate, inputFeePpk: UInt64, maxSeconds: UInt64, capSat: UInt64
    ) throws(GatewayError) -> CallBudget {
        let least = max(rate.minSeconds, 1)
        guard least <= maxSeconds else {
            throw .overCallCap(
                "the least this worker sells is \(least) s (its min_seconds), over the gateway's --max-seconds-per-call \(maxSeconds)"
            )
        }
        var wanted = min(maxSeconds, rate.maxSeconds)
        if let maxTokens, maxTokens > 0 {
            let forTokens = (UInt64(maxTokens) + assumedTokensPerSecond - 1) / assumedTokensPerSecond + least
            wanted = min(wanted, forTokens)
        }
        wanted = max(wanted, least)
        let price: (UInt64) throws(GatewayError) -> Amount = { seconds throws(GatewayError) in
            do { return try PaymentPlan.amount(forSeconds: seconds, rate: rate, inputFeePpk: inputFeePpk) } catch {
                throw .workerFailed("the worker's price cannot be paid: \(error)")
            }
        }
        let amount = try price(wanted)
        if amount.value <= capSat { return CallBudget(seconds: wanted, amount: amount) }
        let affordable = PaymentPlan.seconds(for: Amount(capSat), rate: rate, inputFeePpk: inputFeePpk)
        guard affordable >= least else {
            let leastPrice = try price(least)
            throw .overCallCap(
                "the least this worker sells (\(least) s at \(rate.msatPerSecond) msat/s, mint fees included) costs \(leastPrice) sat, over the gateway's --max-sat-per-call \(capSat)"
            )
        }
        let seconds = min(affordable, wanted)
        return CallBudget(seconds: seconds, amount: try price(seconds))
    }
}

extension CallBudget {
    /// Seconds a call is expected to run when `max_tokens` does not say:
    /// what ranks workers whose minimums differ (docs/CLIENT.md, "Which worker").
    public static let typicalCallSeconds: UInt64 = 10

    /// The charge a call can expect from a worker at `rate` with this budget:
    /// its price for the seconds the call should take, or for its minimum
    /// when that is longer. Ranks offers by what the call costs, not by the
    /// price per second alone (a 1 msat/s offer with a huge minimum is dear).
    public static func expectedCostMsat(rate: Rate, budgetSeconds: UInt64, maxTokens: Int?) -> UInt64 {
        let forTokens = maxTokens.map { (UInt64(max($0, 1)) + assumedTokensPerSecond - 1) / assumedTokensPerSecond }
        let expected = min(budgetSeconds, forTokens ?? typicalCallSeconds)
        let (cost, overflow) = rate.msatPerSecond.multipliedReportingOverflow(by: max(rate.minSeconds, expected, 1))
        return overflow ? .max : cost
    }
}
