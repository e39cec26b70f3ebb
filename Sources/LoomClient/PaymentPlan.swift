import Cashu
import LoomProtocol

/// How much to pay for a budget, given the worker's price and the mint's
/// input fee. Pure: the same numbers the worker's `Pricing` uses, seen
/// from the other side.
public enum PaymentPlan {
    /// The smallest token value that still buys `seconds` after the mint's
    /// input fee for that token's proofs. A token of value `a` made by our
    /// wallet holds one proof per set bit of `a` (`Amount.split`), and the
    /// worker's swap pays `ceil(proofs × ppk / 1000)`; the fee can grow with
    /// the value, so we search upward from the bare price.
    public static func amount(forSeconds seconds: UInt64, rate: Rate, inputFeePpk: UInt64) throws -> Amount {
        let floor = max(seconds, max(rate.minSeconds, 1))
        let (msat, overflow) = floor.multipliedReportingOverflow(by: rate.msatPerSecond)
        guard !overflow else { throw ClientError.invalidInput("\(seconds) s at \(rate.msatPerSecond) msat/s overflows") }
        let price = msat / 1000 + (msat % 1000 == 0 ? 0 : 1)
        var candidate = price
        // At most 64 proofs, so the fee never exceeds 64 × ppk / 1000 sat above the price.
        for _ in 0..<(64 * Int(min(inputFeePpk, 10_000)) / 1000 + 66) {
            let fee = inputFee(of: Amount(candidate), ppk: inputFeePpk)
            if candidate >= fee.value, candidate - fee.value >= price { return Amount(candidate) }
            candidate += 1
        }
        throw ClientError.invalidInput("cannot find a payment that covers \(seconds) s after mint fees")
    }

    /// Seconds a payment of `amount` buys (0 when it buys less than the minimum).
    public static func seconds(for amount: Amount, rate: Rate, inputFeePpk: UInt64) -> UInt64 {
        let fee = inputFee(of: amount, ppk: inputFeePpk)
        return (try? Pricing.budgetSeconds(paid: amount, inputFee: fee, rate: rate)) ?? 0
    }

    /// The mint's input fee for a token of `amount` split into powers of two (NUT-02).
    public static func inputFee(of amount: Amount, ppk: UInt64) -> Amount {
        let proofs = UInt64(amount.value.nonzeroBitCount)
        return Amount((proofs * ppk + 999) / 1000)
    }
}
