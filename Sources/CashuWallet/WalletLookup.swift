import Cashu
import Foundation
import GRDB

/// What became of the receive a caller labelled (`receive(_:reference:)`).
public enum Receipt: Sendable, Equatable {
    /// No receive with this label: the token was never sent to the mint by us.
    case none
    /// The token is ours.
    case taken(Received)
    /// Someone else spent the token first; nothing came to us.
    case spentElsewhere
    /// The mint refused the token (the reason); it is still its owner's.
    case refused(String)
    /// The mint has not told yet; `recover()` keeps asking.
    case open(operation: String)
}

/// Questions a caller asks after a crash, to learn whether an operation it
/// started already happened, so that it neither loses nor repeats it.
extension Wallet {
    /// The newest receive labelled `reference`. Run `recover()` first so
    /// that a receive the mint did answer is no longer open.
    public func receipt(reference: String) throws -> Receipt {
        try store.db.read { db -> Receipt in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, state, amount, fee, error FROM operations
                        WHERE mint = ? AND kind = 'receive' AND reference = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                        """, arguments: [self.mint.url, reference])
            else { return .none }
            let id: String = row["id"]
            switch OperationState(rawValue: row["state"]) ?? .failed {
            case .done:
                let amount = Amount(UInt64(row["amount"] as Int64)), fee = Amount(UInt64(row["fee"] as Int64))
                return .taken(Received(amount: amount, fee: fee, received: Amount(amount.value - fee.value), operation: id))
            case .prepared, .sent:
                return .open(operation: id)
            case .failed:
                // A receive that lost the race keeps its inputs as spent; a refused one deleted them.
                let lost =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM proofs WHERE operation_id = ? AND state = 'spent'", arguments: [id]) ?? 0
                return lost > 0 ? .spentElsewhere : .refused(row["error"] ?? "refused by the mint")
            }
        }
    }

    /// The token the newest send labelled `memo` made, finishing that send
    /// first if it was left open: a caller that labels each send (the
    /// worker: one memo per job's change) gets the same token however often
    /// it asks, and never a second one. Nil when there is no such send, or
    /// it failed (nothing left the wallet). Throws `pendingOutcome` while
    /// the mint has not told what became of it, or another live wallet is
    /// working on it: the caller must not make a new one then.
    public func settledSend(memo: String) async throws -> Sent? {
        let rows = try await store.db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, state, owner, next_attempt_at FROM operations WHERE mint = ? AND kind = 'send' AND memo = ?
                    ORDER BY created_at DESC, rowid DESC
                    """, arguments: [self.mint.url, memo]
            ).map {
                (
                    id: $0["id"] as String, state: $0["state"] as String, owner: $0["owner"] as String?,
                    due: $0["next_attempt_at"] as Int64?
                )
            }
        }
        for row in rows {
            switch OperationState(rawValue: row.state) ?? .failed {
            case .done: return try await sentSummary(row.id)
            case .failed: continue
            case .prepared, .sent:
                // Busy elsewhere, or backing off after the mint failed to answer.
                guard !inFlight.contains(row.id), (row.due ?? 0) <= Self.now(), try await claim(row.id, from: row.owner) else {
                    throw WalletError.pendingOutcome(operation: row.id)
                }
                switch try await recover(operation: row.id) {
                case .done: return try await sentSummary(row.id)
                case .refused, .spentElsewhere: continue
                case .unknown: throw WalletError.pendingOutcome(operation: row.id)
                }
            }
        }
        return nil
    }
}
