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
    /// Proofs the mint says are spent that no operation of this wallet spent.
    public var writtenOff: Amount
    public var problems: [String]
    public var ok: Bool { problems.isEmpty }
}

extension Wallet {
    /// Settles every operation a crash or a silent mint left open, except
    /// those another live wallet is working on (`WalletLease`): a request
    /// still on its way to the mint is not "lost". Safe to run at every
    /// start, and while another process serves from the same wallet.
    /// `force: false` skips operations whose retry time has not come (the
    /// worker's periodic retry); returns the operations settled.
    @discardableResult
    public func recover(force: Bool = true) async throws -> [String] {
        let now = Self.now()
        let open = try await store.db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, owner, next_attempt_at FROM operations WHERE mint = ? AND state IN ('prepared', 'sent') ORDER BY created_at
                    """, arguments: [self.mint.url]
            ).map { (id: $0["id"] as String, owner: $0["owner"] as String?, due: $0["next_attempt_at"] as Int64?) }
        }
        var settled: [String] = []
        for op in open where !inFlight.contains(op.id) && (force || (op.due ?? 0) <= now) {
            guard try await claim(op.id, from: op.owner) else { continue }
            if case .unknown = try await recover(operation: op.id) { continue }
            settled.append(op.id)
        }
        return settled
    }

    /// Takes over an operation whose owner is gone. False when its owner (a
    /// wallet in this process or another) is alive, or someone else just
    /// took it over: it is theirs to finish.
    func claim(_ opID: String, from owner: String?) async throws -> Bool {
        if owner == lease.owner { return true }
        if lease.isAlive(owner) { return false }
        let me = lease.owner
        return try await store.db.write { db in
            try db.execute(sql: "UPDATE operations SET owner = ? WHERE id = ? AND owner IS ?", arguments: [me, opID, owner])
            return db.changesCount == 1
        }
    }

    /// Learns and records the outcome of one journaled operation this
    /// wallet owns, sending it again when the mint never did it.
    func recover(operation opID: String) async throws -> OperationOutcome {
        let row = try store.db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM operations WHERE id = ?", arguments: [opID])
        }
        guard let row, let kind = OperationKind(rawValue: row["kind"]), let state = OperationState(rawValue: row["state"]) else {
            throw WalletError.corrupt("operation \(opID) is not journaled")
        }
        switch state {
        case .done: return .done
        case .failed: return .refused(.other(status: 0, code: nil, detail: row["error"] ?? "failed"))
        case .sent where kind == .send:
            // The swap happened; only the token was not built yet.
            _ = try await finishSend(operation: opID)
            return .done
        default: break
        }
        if kind == .melt, let quote: String = row["quote"] { return try await recoverMelt(opID, quote: quote) }
        return try await drive(opID, sends: Self.sendsPerCall, askFirst: true)
    }

    private func recoverMelt(_ opID: String, quote: String) async throws -> OperationOutcome {
        inFlight.insert(opID)
        defer { inFlight.remove(opID) }
        let outputs = try await store.db.read { db in try self.loadOutputs(db, operation: opID) }
        let q: MeltQuote
        do { q = try await mint.meltQuoteState(quote) } catch { return try await postpone(opID, "melt quote state: \(error)") }
        switch q.state {
        case .unpaid:
            // The mint never took the inputs.
            try await fail(operation: opID, reason: "melt did not happen")
            return .refused(.quoteNotPaid(quote))
        case .pending, .issued:
            return try await postpone(opID, "the mint is still paying the invoice")
        case .paid:
            var paid = q
            if paid.change == nil { paid.change = try await restoredSignatures(outputs).compactMap { $0 } }
            try await settleMelt(operation: opID, result: paid, outputs: outputs)
            return .done
        }
    }

    /// NUT-09: the mint's signatures for outputs it has signed before, in our order.
    func restoredSignatures(_ outputs: [JournaledOutput]) async throws -> [BlindSignature?] {
        guard !outputs.isEmpty else { return [] }
        let r = try await mint.restore(outputs: outputs.map(\.blinding.message))
        var byB: [PublicKey: BlindSignature] = [:]
        for (o, s) in zip(r.outputs, r.signatures) { byB[o.B_] = s }
        return outputs.map { byB[$0.blinding.message.B_] }
    }

    /// NUT-07: settles open operations, then asks the mint about every
    /// proof the wallet counts as unspent; spent ones are explained by an
    /// operation of ours or written off (`heal`).
    public func check() async throws -> CheckReport {
        let settled = try await recover()
        let unspent = try await store.db.read { db in
            try self.loadProofs(db, sql: "mint = ? AND state = 'unspent'", arguments: [self.mint.url])
        }
        let before = try balance()
        var lost = Amount.zero
        for chunk in stride(from: 0, to: unspent.count, by: 100).map({ Array(unspent[$0..<min($0 + 100, unspent.count)]) }) {
            lost = try lost.adding(try await heal(chunk))
        }
        let after = try balance()
        let pending = try await store.db.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM operations WHERE mint = ? AND state IN ('prepared','sent')", arguments: [self.mint.url])
        }
        let found = before > after ? Amount(before.value - after.value) : lost
        return CheckReport(settledOperations: settled, stillPending: pending, foundSpent: found, balance: after)
    }

    /// Compares the balance with the history: everything received and minted,
    /// less everything sent, melted and paid in fees, must equal the unspent proofs.
    public func audit() throws -> AuditReport {
        try store.db.read { db in
            func sum(_ sql: String) throws -> Amount {
                Amount(UInt64(try Int64.fetchOne(db, sql: sql, arguments: [self.mint.url]) ?? 0))
            }
            let unspent = try sum("SELECT COALESCE(SUM(amount),0) FROM proofs WHERE mint = ? AND state = 'unspent'")
            let received = try sum(
                "SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind IN ('receive','restore') AND state = 'done'"
            )
            let minted = try sum(
                "SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind = 'mint' AND state = 'done'")
            let sent = try sum(
                "SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind = 'send' AND state = 'done'")
            let fees = try sum(
                "SELECT COALESCE(SUM(fee),0) FROM operations WHERE mint = ? AND kind IN ('receive','send','melt') AND state = 'done'"
            )
            let writtenOff = try sum(
                "SELECT COALESCE(SUM(amount),0) FROM operations WHERE mint = ? AND kind = 'writeoff' AND state = 'done'")
            // A melt spends its amount plus what the mint kept of the reserve:
            // inputs - change - input fee.
            let meltedGross = try sum(
                """
                SELECT COALESCE(SUM(p.amount),0) FROM proofs p JOIN operations o ON p.operation_id = o.id
                WHERE o.mint = ? AND o.kind = 'melt' AND o.state = 'done' AND p.state = 'spent'
                """)
            let meltChange = try sum(
                """
                SELECT COALESCE(SUM(p.amount),0) FROM proofs p JOIN operations o ON p.operation_id = o.id
                WHERE o.mint = ? AND o.kind = 'melt' AND o.state = 'done' AND p.state != 'spent'
                """)
            let meltFees = try sum(
                "SELECT COALESCE(SUM(fee),0) FROM operations WHERE mint = ? AND kind = 'melt' AND state = 'done'")
            let melted = Amount(meltedGross.value &- meltChange.value &- meltFees.value)
            let pending =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM operations WHERE mint = ? AND state IN ('prepared','sent')",
                    arguments: [self.mint.url]) ?? 0
            var problems: [String] = []
            let inflow = Int128(received.value) + Int128(minted.value)
            let outflow = Int128(sent.value) + Int128(melted.value) + Int128(fees.value) + Int128(writtenOff.value)
            if inflow - outflow != Int128(unspent.value) {
                problems.append("history says \(inflow - outflow), unspent proofs hold \(unspent.value)")
            }
            let pendingProofs = try sum(
                "SELECT COALESCE(SUM(amount),0) FROM proofs WHERE mint = ? AND state IN ('pending','reserved')")
            if pending == 0 && pendingProofs > .zero {
                problems.append("\(pendingProofs) in pending proofs without an open operation")
            }
            return AuditReport(
                balance: unspent, unspentProofs: unspent, received: received, minted: minted, sent: sent,
                melted: melted, fees: fees, pendingOperations: pending, writtenOff: writtenOff, problems: problems)
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
            try Row.fetchAll(
                db, sql: "SELECT * FROM operations WHERE mint = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                arguments: [mint.url, limit]
            ).map {
                OperationRecord(
                    id: $0["id"], kind: $0["kind"], state: $0["state"], amount: UInt64($0["amount"] as Int64),
                    fee: UInt64($0["fee"] as Int64), memo: $0["memo"], error: $0["error"], token: $0["token"],
                    createdAt: $0["created_at"])
            }
        }
    }
}
