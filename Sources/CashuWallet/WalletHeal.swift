import Cashu
import Foundation
import GRDB
import Secp256k1

extension Wallet {
    /// Makes the wallet agree with the mint about `proofs` (ours, as far as
    /// the journal knows). Proofs the mint says are spent were spent by
    /// something: if an operation of ours that we judged failed used them,
    /// the mint may have done it after all — its outputs are then signed
    /// (NUT-09) and the operation is settled now, as it happened. Whatever
    /// no operation explains is written off (a `writeoff` operation), so the
    /// balance, the audit and the mint agree and the loss is on record.
    /// Returns the amount written off.
    @discardableResult
    func heal(_ proofs: [Proof]) async throws -> Amount {
        guard !proofs.isEmpty else { return .zero }
        let states: [ProofState]
        let Ys = try proofs.map { try $0.Y().hex }
        do { states = try await mint.checkState(Ys: Ys) } catch { throw WalletError.mint(error) }
        let spent = zip(proofs, states).filter { $0.1.state == .spent }.map(\.0)
        guard !spent.isEmpty else { return .zero }
        let secrets = spent.map(\.secret)
        let candidates = try await store.db.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT o.id FROM inputs i JOIN operations o ON o.id = i.operation_id
                    WHERE i.secret IN (\(secrets.map { _ in "?" }.joined(separator: ","))) AND o.state = 'failed'
                      AND o.kind IN ('send', 'receive') ORDER BY o.created_at
                    """, arguments: StatementArguments(secrets))
        }
        for opID in candidates { try await resurrect(opID) }
        // What is still counted as ours is gone without an explanation.
        let lost = try await store.db.write { db -> Amount in
            let marks = secrets.map { _ in "?" }.joined(separator: ",")
            let stillOurs = try self.loadProofs(
                db, sql: "secret IN (\(marks)) AND state IN ('unspent', 'pending', 'reserved')",
                arguments: StatementArguments(secrets))
            guard !stillOurs.isEmpty else { return .zero }
            let amount = try Amount.sum(stillOurs.map(\.amount))
            let opID = Self.newOperationID()
            try self.insertOperation(db, id: opID, kind: .writeoff, amount: amount, fee: .zero)
            try db.execute(
                sql:
                    "UPDATE proofs SET state = 'spent', operation_id = ? WHERE secret IN (\(stillOurs.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([opID] + stillOurs.map(\.secret)))
            try self.setOperation(
                db, opID, state: .done, error: "the mint says these proofs are spent; no operation of this wallet spent them")
            return amount
        }
        return lost
    }

    /// Settles a failed send or receive after all, when the mint did sign
    /// its outputs (it went through although we judged it had not).
    private func resurrect(_ opID: String) async throws {
        let outputs = try await store.db.read { db in try self.loadOutputs(db, operation: opID) }
        guard let signatures = try? await restoredSignatures(outputs), !signatures.isEmpty,
            signatures.allSatisfy({ $0 != nil })
        else { return }
        guard let proofs = try? await unblind(signatures.map { $0! }, outputs) else { return }
        let kept = zip(proofs, outputs).filter { $0.1.role != "send" }.map(\.0)
        let sent = zip(proofs, outputs).filter { $0.1.role == "send" }.map(\.0)
        let isSend = try await store.db.write { db -> Bool in
            let inputs = try String.fetchAll(db, sql: "SELECT secret FROM inputs WHERE operation_id = ?", arguments: [opID])
            if !inputs.isEmpty {
                try db.execute(
                    sql:
                        "UPDATE proofs SET state = 'spent', operation_id = ? WHERE secret IN (\(inputs.map { _ in "?" }.joined(separator: ",")))",
                    arguments: StatementArguments([opID] + inputs))
            }
            try self.insertProofs(db, kept, state: .unspent, operation: opID)
            try self.insertProofs(db, sent, state: .reserved, operation: opID)
            try self.setOperation(db, opID, state: sent.isEmpty ? .done : .sent, error: "settled later: the mint had signed it")
            return !sent.isEmpty
        }
        if isSend { _ = try await finishSend(operation: opID) }
    }
}
