import Cashu
import Foundation
import GRDB
import Secp256k1

public struct CheckReport: Sendable, Codable {
    public var settledOperations: [String]
    public var stillPending: [String]
    public var foundSpent: Amount
    public var balance: Amount
}

public struct AuditReport: Sendable, Codable {
    public var balance: Amount
    public var unspentProofs: Amount
    public var received: Amount
    public var minted: Amount
    public var sent: Amount
    public var melted: Amount
    public var fees: Amount
    public var pendingOperations: Int
    public var problems: [String]
    public var ok: Bool { problems.isEmpty }
}

extension Wallet {
    /// Settles every operation a crash or a silent mint left open. Safe to
    /// run at every start.
    @discardableResult
    public func recover() async throws -> [String] {
        let open = try await store.db.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM operations WHERE mint = ? AND state IN ('prepared', 'sent') ORDER BY created_at", arguments: [self.mint.url])
        }
        var settled: [String] = []
        for id in open where try await recover(operation: id) { settled.append(id) }
        return settled
    }

    /// Learns and records the outcome of one journaled operation. Returns
    /// false when the mint still cannot tell (pending), or is unreachable.
    func recover(operation opID: String) async throws -> Bool {
        let (row, outputs) = try await store.db.read { db in
            (try Row.fetchOne(db, sql: "SELECT * FROM operations WHERE id = ?", arguments: [opID])!, try self.loadOutputs(db, operation: opID))
        }
        let kind = OperationKind(rawValue: row["kind"])!
        let state = OperationState(rawValue: row["state"])!
        if state == .sent, kind == .send {
            // The swap happened; only the token was not built yet.
            _ = try await finishSend(operation: opID, amount: Amount(UInt64(row["amount"] as Int64)), fee: Amount(UInt64(row["fee"] as Int64)), memo: row["memo"])
            return true
        }
        if kind == .melt, let quote: String = row["quote"] {
            let q: MeltQuote
            do { q = try await mint.meltQuoteState(quote) } catch { return false }
            if q.state == .unpaid {
                // The mint never took the inputs, unless they are spent elsewhere.
                try await fail(operation: opID, reason: "melt did not happen")
                return true
            }
            if q.state == .pending { return false }
            var paid = q
            if paid.change == nil { paid.change = try await restoredSignatures(outputs).compactMap { $0 } }
            try await settleMelt(operation: opID, result: paid, outputs: outputs)
            return true
        }
        // Swaps (receive, send) and mints: did the mint sign our outputs?
        let sigs: [BlindSignature?]
        do { sigs = try await restoredSignatures(outputs) } catch { return false }
        if !sigs.isEmpty, sigs.allSatisfy({ $0 != nil }) {
            try await settleSwap(operation: opID, signatures: sigs.map { $0! }, outputs: outputs)
            if kind == .send { _ = try await recover(operation: opID) }
            return true
        }
        // Not signed: for a swap, if our inputs are still unspent nothing happened.
        let inputs = try await store.db.read { db in try self.loadProofs(db, sql: "operation_id = ? AND state = 'pending'", arguments: [opID]) }
        if kind == .mint {
            try await fail(operation: opID, reason: "mint request did not happen")
            return true
        }
        let Ys = try inputs.map { try $0.Y().hex }
        let states: [ProofState]
        do { states = try await mint.checkState(Ys: Ys) } catch { return false }
        if states.contains(where: { $0.state == .pending }) { return false }
        if states.allSatisfy({ $0.state == .unspent }) {
            if kind == .receive {
                // We hold a valid payment the mint never saw: finish the swap
                // with the same (never signed) outputs.
                try await swap(operation: opID, inputs: inputs, outputs: outputs)
                return true
            }
            try await fail(operation: opID, reason: "the mint did not receive the request")
        } else {
            try await store.db.write { db in
                try self.setProofs(db, operation: opID, from: .pending, to: .spent)
                try self.setOperation(db, opID, state: .failed, error: "inputs were spent by someone else")
            }
        }
        return true
    }

    /// NUT-09: the mint's signatures for outputs it has signed before, in our order.
    func restoredSignatures(_ outputs: [JournaledOutput]) async throws -> [BlindSignature?] {
        guard !outputs.isEmpty else { return [] }
        let r = try await mint.restore(outputs: outputs.map(\.blinding.message))
        var byB: [PublicKey: BlindSignature] = [:]
        for (o, s) in zip(r.outputs, r.signatures) { byB[o.B_] = s }
        return outputs.map { byB[$0.blinding.message.B_] }
    }

    /// NUT-07: marks proofs the mint says are spent, and settles open operations.
    public func check() async throws -> CheckReport {
        let settled = try await recover()
        let unspent = try await store.db.read { db in try self.loadProofs(db, sql: "mint = ? AND state = 'unspent'", arguments: [self.mint.url]) }
        var spentSecrets: [String] = []
        var spentAmount = Amount.zero
        for chunk in stride(from: 0, to: unspent.count, by: 100).map({ Array(unspent[$0..<min($0 + 100, unspent.count)]) }) {
            let Ys = try chunk.map { try $0.Y().hex }
            let states: [ProofState]
            do { states = try await mint.checkState(Ys: Ys) } catch { throw WalletError.mint(error) }
            for (p, s) in zip(chunk, states) where s.state == .spent {
                spentSecrets.append(p.secret)
                spentAmount = try spentAmount.adding(p.amount)
            }
        }
        let secrets = spentSecrets
        try await store.db.write { db in
            for s in secrets { try db.execute(sql: "UPDATE proofs SET state = 'spent' WHERE secret = ?", arguments: [s]) }
        }
        let pending = try await store.db.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM operations WHERE mint = ? AND state IN ('prepared','sent')", arguments: [self.mint.url])
        }
        return CheckReport(settledOperations: settled, stillPending: pending, foundSpent: spentAmount, balance: try balance())
    }

    /// Compares the balance with the history: everything received and minted,
    /// less everything sent, melted and paid in fees, must equal the unspent proofs.
    public func audit() throws -> AuditReport {
        try store.db.read { db in
            func sum(_ sql: String) throws -> Amount { Amount(UInt64(try Int64.fetchOne(db, sql: sql, arguments: [self.mint.url]) ?? 0)) }
            let unspent = try sum("SELECT COALESCE(SUM(amount),0) FROM proofs WHERE mint = ? AND state = 'unspent'")
            let received = try sum("SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind IN ('receive','restore') AND state = 'done'")
            let minted = try sum("SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind = 'mint' AND state = 'done'")
            let sent = try sum("SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind = 'send' AND state = 'done'")
            let fees = try sum("SELECT COALESCE(SUM(fee),0) FROM operations WHERE mint = ? AND kind IN ('receive','send','melt') AND state = 'done'")
            // A melt spends its amount plus what the mint kept of the reserve:
            // inputs - change - input fee.
            let meltedGross = try sum("""
                SELECT COALESCE(SUM(p.amount),0) FROM proofs p JOIN operations o ON p.operation_id = o.id
                WHERE o.mint = ? AND o.kind = 'melt' AND o.state = 'done' AND p.state = 'spent'
                """)
            let meltChange = try sum("""
                SELECT COALESCE(SUM(p.amount),0) FROM proofs p JOIN operations o ON p.operation_id = o.id
                WHERE o.mint = ? AND o.kind = 'melt' AND o.state = 'done' AND p.state != 'spent'
                """)
            let meltFees = try sum("SELECT COALESCE(SUM(fee),0) FROM operations WHERE mint = ? AND kind = 'melt' AND state = 'done'")
            let melted = Amount(meltedGross.value &- meltChange.value &- meltFees.value)
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM operations WHERE mint = ? AND state IN ('prepared','sent')", arguments: [self.mint.url]) ?? 0
            var problems: [String] = []
            let inflow = Int128(received.value) + Int128(minted.value)
            let outflow = Int128(sent.value) + Int128(melted.value) + Int128(fees.value)
            if inflow - outflow != Int128(unspent.value) {
                problems.append("history says \(inflow - outflow), unspent proofs hold \(unspent.value)")
            }
            let pendingProofs = try sum("SELECT COALESCE(SUM(amount),0) FROM proofs WHERE mint = ? AND state IN ('pending','reserved')")
            if pending == 0 && pendingProofs > .zero { problems.append("\(pendingProofs) in pending proofs without an open operation") }
            return AuditReport(balance: unspent, unspentProofs: unspent, received: received, minted: minted, sent: sent,
                               melted: melted, fees: fees, pendingOperations: pending, problems: problems)
        }
    }
}

/// One line of `loom wallet history`.
public struct OperationRecord: Sendable, Codable {
    public var id: String
    public var kind: String
    public var state: String
    public var amount: UInt64
    public var fee: UInt64
    public var memo: String?
    public var error: String?
    /// For a send: the token made (bearer money; shown so a token lost to a crash can still be handed over).
    public var token: String?
    public var createdAt: Int64
}

extension Wallet {
    public func history(limit: Int = 50) throws -> [OperationRecord] {
        try store.db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM operations WHERE mint = ? ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [mint.url, limit]).map {
                OperationRecord(id: $0["id"], kind: $0["kind"], state: $0["state"], amount: UInt64($0["amount"] as Int64),
                                fee: UInt64($0["fee"] as Int64), memo: $0["memo"], error: $0["error"], token: $0["token"],
                                createdAt: $0["created_at"])
            }
        }
    }
}
