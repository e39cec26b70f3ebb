import Cashu
import Secp256k1

/// When a worker may start a job before the mint has swapped its payment
/// (docs/PROTOCOL.md, "Early admission").
///
/// An unlocked token can be spent by whoever holds it, so the client could
/// spend it elsewhere while the job runs: the swap must come first. A token
/// whose every proof is locked (NUT-11) to the worker's key alone, carries
/// the mint's DLEQ proof (NUT-12, checked offline against the keyset the
/// worker holds) and cannot be refunded before the job is long over, can
/// only be spent by the worker: the swap may run beside the job. What is
/// left is the mint refusing for a reason of its own (down, keyset retired)
/// and a replay of the same proofs, which the wallet's journal refuses
/// before the job starts.
public enum EarlyAdmission {
    /// Why a payment takes the swap-first path; each is a fact of the token, not a fault.
    public enum Ineligible: String, Sendable, Hashable {
        /// At least one proof has a plain secret: anyone holding it can spend it.
        case unlocked
        /// A lock another key could open: a second main key, more than one signature, or another kind (HTLC).
        case notWorkerAlone = "not-worker-alone"
        /// A proof without a DLEQ proof: only the mint can say it is genuine.
        case noDLEQ = "no-dleq"
        /// The client's refund key opens the lock before `earliestLocktime`.
        case locktimeTooSoon = "locktime-too-soon"
    }

    /// How long after the job's own end a refund must stay closed: covers
    /// a swap that waits for a slow mint and a settle that follows.
    public static let lockMargin: Int64 = 600

    /// The earliest locktime that qualifies for a job admitted at `now`
    /// that may run `budgetSeconds`, with `mintTimeoutSeconds` for the swap.
    public static func earliestLocktime(now: Int64, budgetSeconds: UInt64, mintTimeoutSeconds: Int64) -> Int64 {
        let budget = Int64(clamping: min(budgetSeconds, UInt64(Int64.max / 4)))
        return now + budget + max(0, mintTimeoutSeconds) + lockMargin
    }

    /// Nil when the token may be admitted early; else the first reason it may not.
    public static func ineligibility(_ token: Token, worker: XOnlyPublicKey, earliestLocktime: Int64) -> Ineligible? {
        guard !token.proofs.isEmpty else { return .unlocked }
        for proof in token.proofs {
            guard let secret = try? WellKnownSecret(parsing: proof.secret) else { return .unlocked }
            guard let conditions = try? P2PKConditions(secret: secret) else { return .notWorkerAlone }
            let keys = conditions.lockingKeys
            guard conditions.nSigs == 1, keys.count == 1, keys[0].x == worker.bytes else { return .notWorkerAlone }
            guard proof.dleq != nil else { return .noDLEQ }
            // No locktime: the lock never opens for anyone but the worker.
            if let locktime = conditions.locktime, Int64(clamping: locktime) < earliestLocktime {
                return .locktimeTooSoon
            }
        }
        return nil
    }
}
