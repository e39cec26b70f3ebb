import Cashu
import Foundation
import GRDB

/// Questions a caller asks after a crash, to learn whether an operation it
/// started already happened, so that it neither loses nor repeats it.
extension Wallet {
    /// The finished receive of this token, or nil when this wallet never
    /// took it. Looked up by the proofs' secrets, which a receive journals
    /// before it calls the mint. Run `recover()` first so that no receive is
    /// left open; one still open throws `pendingOutcome`.
    public func receipt(of text: String) throws -> Received? {
        let token: Token
        do { token = try Token.decode(text) } catch { throw WalletError.token(error) }
        guard let secret = token.proofs.first?.secret else { return nil }
        return try store.db.read { db -> Received? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT o.id, o.state, o.amount, o.fee FROM proofs p JOIN operations o ON p.operation_id = o.id
                WHERE p.secret = ? AND o.kind = 'receive' AND o.mint = ?
                """, arguments: [secret, self.mint.url]) else { return nil }
            let state = OperationState(rawValue: row["state"]) ?? .failed
            switch state {
            case .done:
                let amount = Amount(UInt64(row["amount"] as Int64)), fee = Amount(UInt64(row["fee"] as Int64))
                return Received(amount: amount, fee: fee, received: Amount(amount.value - fee.value), operation: row["id"])
            case .failed: return nil
            case .prepared, .sent: throw WalletError.pendingOutcome(operation: row["id"])
            }
        }
    }

    /// The token a finished send with this memo made, or nil. Lets a caller
    /// that labels each send (the worker: one memo per job) find a token made
    /// just before a crash instead of paying it twice.
    public func sent(memo: String) throws -> Sent? {
        try store.db.read { db -> Sent? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, amount, fee, token FROM operations
                WHERE mint = ? AND kind = 'send' AND state = 'done' AND memo = ? AND token IS NOT NULL
                ORDER BY created_at DESC LIMIT 1
                """, arguments: [self.mint.url, memo]) else { return nil }
            return Sent(token: row["token"], amount: Amount(UInt64(row["amount"] as Int64)),
                        fee: Amount(UInt64(row["fee"] as Int64)), operation: row["id"])
        }
    }
}
