import Cashu
import Foundation
import GRDB
import Secp256k1

/// One output the wallet asked (or will ask) the mint to sign, as journaled.
struct JournaledOutput: Sendable {
    var position: Int
    /// `keep` (ours once signed), `send` (leaves in a token), `change` (melt fee return).
    var role: String
    var blinding: BlindingData
}

/// A journaled operation as read back for recovery.
struct JournaledOperation: Sendable {
    var id: String
    var kind: OperationKind
    var state: OperationState
    var quote: String?
}

extension Wallet {
    static func newOperationID() -> String { Hex.encode(SecureRandom.bytes(12)) }
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Deterministic (NUT-13) outputs for `amounts`, taking counters from the
    /// keyset's counter inside the caller's transaction so that a counter is
    /// never used twice, even across a crash.
    nonisolated func deterministicOutputs(
        _ db: Database, amounts: [Amount], keyset: Keyset, role: String, startPosition: Int = 0
    ) throws -> [JournaledOutput] {
        let counter = try Int64.fetchOne(db, sql: "SELECT counter FROM keysets WHERE id = ?", arguments: [keyset.id.hex]) ?? 0
        var out: [JournaledOutput] = []
        for (i, amount) in amounts.enumerated() {
            let data = try DeterministicSecrets.blindingData(
                seed: seed, keysetID: keyset.id, counter: UInt32(counter) + UInt32(i), amount: amount)
            out.append(JournaledOutput(position: startPosition + i, role: role, blinding: data))
        }
        try db.execute(sql: "UPDATE keysets SET counter = counter + ? WHERE id = ?", arguments: [amounts.count, keyset.id.hex])
        return out
    }

    /// A new operation, owned by this wallet (`WalletLease`) until it ends.
    nonisolated func insertOperation(
        _ db: Database, id: String, kind: OperationKind, amount: Amount, fee: Amount,
        quote: String? = nil, memo: String? = nil, reference: String? = nil
    ) throws {
        let now = Self.now()
        try db.execute(
            sql: """
                INSERT INTO operations(id, kind, state, mint, unit, amount, fee, quote, memo, reference, owner, created_at, updated_at)
                VALUES (?, ?, 'prepared', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, kind.rawValue, mint.url, unit.rawValue, Int64(amount.value), Int64(fee.value), quote, memo,
                reference, lease.owner, now, now,
            ])
    }

    /// Records which proofs an operation spends, for good (see the `inputs` table).
    nonisolated func insertInputs(_ db: Database, operation: String, _ proofs: [Proof]) throws {
        for p in proofs {
            try db.execute(
                sql: "INSERT OR IGNORE INTO inputs(operation_id, secret) VALUES (?, ?)", arguments: [operation, p.secret])
        }
    }

    nonisolated func setOperation(
        _ db: Database, _ id: String, state: OperationState, error: String? = nil, token: String? = nil
    ) throws {
        try db.execute(
            sql:
                "UPDATE operations SET state = ?, error = COALESCE(?, error), token = COALESCE(?, token), updated_at = ? WHERE id = ?",
            arguments: [state.rawValue, error, token, Self.now(), id])
    }

    nonisolated func insertOutputs(_ db: Database, operation: String, _ outputs: [JournaledOutput]) throws {
        for o in outputs {
            try db.execute(
                sql: """
                    INSERT INTO outputs(operation_id, position, role, amount, keyset_id, secret, r, b)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    operation, o.position, o.role, Int64(o.blinding.message.amount.value),
                    o.blinding.message.id.hex, o.blinding.secret, o.blinding.r.hex, o.blinding.message.B_.hex,
                ])
        }
    }

    nonisolated func loadOutputs(_ db: Database, operation: String) throws -> [JournaledOutput] {
        try Row.fetchAll(db, sql: "SELECT * FROM outputs WHERE operation_id = ? ORDER BY position", arguments: [operation]).map {
            row in
            let data = try BlindingData(
                amount: Amount(UInt64(row["amount"] as Int64)), keysetID: try KeysetID(hex: row["keyset_id"]),
                secret: row["secret"], r: try Scalar(hex: row["r"] as String))
            return JournaledOutput(position: row["position"], role: row["role"], blinding: data)
        }
    }

    /// Inserts proofs (ours, or a sender's we are about to swap) with a state.
    /// A proof we sent away and now take back keeps the witness it comes
    /// with: a token we locked to someone else returns signed with our
    /// refund key, and the swap needs that signature.
    nonisolated func insertProofs(_ db: Database, _ proofs: [Proof], state: ProofStatus, operation: String?) throws {
        let enc = JSONEncoder()
        for p in proofs {
            let dleq = try p.dleq.map { String(decoding: try enc.encode($0), as: UTF8.self) }
            try db.execute(
                sql: """
                    INSERT INTO proofs(secret, amount, keyset_id, c, dleq, witness, mint, state, operation_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(secret) DO UPDATE SET state = excluded.state, operation_id = excluded.operation_id,
                        witness = COALESCE(excluded.witness, proofs.witness)
                    """,
                arguments: [
                    p.secret, Int64(p.amount.value), p.id.hex, p.C.hex, dleq, p.witness, mint.url,
                    state.rawValue, operation, Self.now(),
                ])
        }
    }

    nonisolated func setProofs(_ db: Database, operation: String, from: ProofStatus, to: ProofStatus) throws {
        try db.execute(
            sql: "UPDATE proofs SET state = ? WHERE operation_id = ? AND state = ?",
            arguments: [to.rawValue, operation, from.rawValue])
    }

    nonisolated func loadProofs(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Proof] {
        try Row.fetchAll(db, sql: "SELECT * FROM proofs WHERE " + sql, arguments: arguments).map { row in
            var p = Proof(
                amount: Amount(UInt64(row["amount"] as Int64)), id: try KeysetID(hex: row["keyset_id"]),
                secret: row["secret"], C: try PublicKey(hex: row["c"] as String), witness: row["witness"])
            if let d: String = row["dleq"] { p.dleq = try JSONDecoder().decode(ProofDLEQ.self, from: Data(d.utf8)) }
            return p
        }
    }

    /// Unblinds the mint's signatures for `outputs` (same order) into proofs.
    func unblind(_ signatures: [BlindSignature], _ outputs: [JournaledOutput]) async throws -> [Proof] {
        var proofs: [Proof] = []
        for (sig, out) in zip(signatures, outputs) {
            let ks = try await keyset(sig.id)
            let K = try ks.key(for: sig.amount)
            if sig.dleq != nil {
                do { try sig.verifyDLEQ(A: K, B_: out.blinding.message.B_) } catch {
                    throw WalletError.dleqInvalid("mint signature: \(error)")
                }
            }
            proofs.append(try out.blinding.unblind(sig, mintKey: K))
        }
        return proofs
    }

    func saveKeyset(_ ks: Keyset) throws {
        let keys = try JSONEncoder().encode(ks.keys.reduce(into: [String: String]()) { $0[String($1.key.value)] = $1.value.hex })
        try store.db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO keysets(id, mint, unit, active, input_fee_ppk, keys) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET active = excluded.active, input_fee_ppk = excluded.input_fee_ppk
                    """,
                arguments: [
                    ks.id.hex, mint.url, ks.unit.rawValue, ks.active, Int64(ks.inputFeePpk),
                    String(decoding: keys, as: UTF8.self),
                ])
        }
    }

    func loadKeyset(_ id: KeysetID) throws -> Keyset? {
        try loadAllKeysets().first { $0.id == id }
    }

    func loadAllKeysets() throws -> [Keyset] {
        try store.db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM keysets WHERE mint = ?", arguments: [mint.url]).map { row in
                let raw = try JSONDecoder().decode([String: String].self, from: Data((row["keys"] as String).utf8))
                let info = KeysetInfo(
                    id: try KeysetID(hex: row["id"]), unit: CurrencyUnit(row["unit"] as String),
                    active: row["active"], inputFeePpk: UInt64(row["input_fee_ppk"] as Int64))
                return Keyset(info: info, keys: try Keyset.parseKeys(raw))
            }
        }
    }
}
