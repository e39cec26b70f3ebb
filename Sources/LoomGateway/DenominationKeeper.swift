import Cashu
import CashuWallet
import Logging

/// Keeps the gateway's wallet holding proofs of every amount a call may pay
/// (`Wallet.keepDenominations`), so that a payment is a token of held proofs
/// and needs no swap on the call's path. One top-up at a time, in the
/// background, after a call; a failure is logged and tried after the next call.
/// Only with a mint that charges no input fee (see `nudge`).
actor DenominationKeeper {
    let wallet: Wallet
    /// The largest power of two a call may pay, and what a top-up must leave unspent.
    let largest: Amount
    let reserve: Amount
    let logger: Logger
    private var running: Task<Void, Never>?

    init(wallet: Wallet, capSat: UInt64, logger: Logger) {
        self.wallet = wallet
        var top: UInt64 = 1
        while top <= capSat / 2 { top <<= 1 }
        largest = Amount(top)
        reserve = Amount(capSat)
        self.logger = logger
    }

    /// Starts a top-up unless one is running.
    func nudge() {
        guard running == nil else { return }
        let wallet = self.wallet, largest = self.largest, reserve = self.reserve, logger = self.logger
        running = Task {
            do {
                // A top-up's swap fee would belong to no call: the wallet would
                // move by more than the calls cost. With a fee-charging mint,
                // each payment makes its own token (its fee counted in its call).
                guard try await wallet.activeInputFeePpk(maxAge: .seconds(60)) == 0 else { return self.done() }
                if let fee = try await wallet.keepDenominations(largest: largest, reserve: reserve) {
                    logger.debug("denominations topped up", metadata: ["fee_sat": "\(fee)"])
                }
            } catch {
                logger.notice("denominations not topped up", metadata: ["error": "\(error)"])
            }
            self.done()
        }
    }

    private func done() { running = nil }

    /// Waits for a top-up in flight (tests, shutdown).
    func settled() async { await running?.value }
}
