import Cashu
import Foundation
import GRDB
import Secp256k1

/// A token this wallet made, and what making it cost.
public struct Sent: Sendable, Codable, Hashable {
    public var token: String
    public var amount: Amount
    public var fee: Amount
    public var operation: String
}

extension Wallet {
    /// Makes a token worth exactly `amount`, optionally P2PK-locked to
    /// `lockTo`. The swap's fee is paid by this wallet, so the receiver's own
    /// swap fee is theirs alone. The token is stored with its operation
    /// before it is returned, so it can be shown again (`history`).
    public func send(_ amount: Amount, lockTo: PublicKey? = nil, memo: String? = nil) async throws -> Sent {
        guard amount > .zero else { throw WalletError.insufficientFunds(needed: amount, available: try balance()) }
        return try await send(lock: lockTo.map { P2PKConditions(data: $0) }, memo: memo) { db, infos in
            let (inputs, fee) = try self.select(db, amount: amount, keysets: infos)
            return (inputs, fee, amount)
        }
    }

    /// Makes a token worth exactly `amount` whose proofs carry `lock`
    /// (NUT-11: a locktime and refund keys, for one). Each proof gets a
    /// fresh nonce.
    public func send(_ amount: Amount, lock: P2PKConditions, memo: String? = nil) async throws -> Sent {
        guard amount > .zero else { throw WalletError.insufficientFunds(needed: amount, available: try balance()) }
        return try await send(lock: lock, memo: memo) { db, infos in
            let (inputs, fee) = try self.select(db, amount: amount, keysets: infos)
            return (inputs, fee, amount)
        }
    }

    /// Makes a token worth `total` less the fee of the swap that makes it, so
    /// that exactly `total` leaves this wallet (token + fee). The fee is known
    /// only once the inputs are chosen, and this is the one place they are:
    /// a caller that must account for every sat (the worker's change) gets
    /// no estimate, only the real fee. Fails with `amountTooSmall` when the
    /// fee would take it all.
    public func send(spending total: Amount, lockTo: PublicKey? = nil, memo: String? = nil) async throws -> Sent {
        guard total > .zero else { throw WalletError.amountTooSmall(amount: total, fee: .zero) }
        return try await send(lock: lockTo.map { P2PKConditions(data: $0) }, memo: memo) { db, infos in
            let (inputs, fee) = try self.select(db, amount: total, keysets: infos, feeIncluded: true)
            guard total > fee else { throw WalletError.amountTooSmall(amount: total, fee: fee) }
            return (inputs, fee, Amount(total.value - fee.value))
        }
    }

    /// Journals a send whose inputs `choose` picks (in the same transaction,
    /// so two sends — in this process or another — never pick the same
    /// proofs), then swaps. When the mint says some of the chosen proofs are
    /// already spent or pending, the wallet was wrong about them: it checks
    /// them with the mint (`heal`) and tries once more with other proofs.
    private func send(
        lock: P2PKConditions?, memo: String?,
        choose: @Sendable @escaping (Database, [KeysetInfo]) throws -> ([Proof], Amount, Amount)
    ) async throws -> Sent {
        var healed = false
        while true {
            let (opID, inputs) = try await journalSend(lock: lock, memo: memo, choose: choose)
            switch try await drive(opID, sends: Self.sendsPerCall, askFirst: false) {
            case .done:
                return try await sentSummary(opID)
            case .refused(let error) where !healed && error.saysInputsUnavailable:
                healed = true
                try await heal(inputs)
            case .spentElsewhere where !healed:
                healed = true  // `spentElsewhere` healed the inputs already
            case .refused(let error):
                throw WalletError.mint(error)
            case .spentElsewhere:
                throw WalletError.mint(.alreadySpent("proofs this wallet held were spent elsewhere; run `loom wallet check`"))
            case .unknown:
                throw WalletError.pendingOutcome(operation: opID)
            }
        }
    }

    private func journalSend(
        lock: P2PKConditions?, memo: String?,
        choose: @Sendable @escaping (Database, [KeysetInfo]) throws -> ([Proof], Amount, Amount)
    ) async throws -> (String, [Proof]) {
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        let infos = keysets.values.map(\.info)
        let inputs = try await store.db.write { db -> [Proof] in
            let (inputs, fee, amount) = try choose(db, infos)
            let total = try Amount.sum(inputs.map(\.amount))
            let change = Amount(total.value - amount.value - fee.value)
            try self.insertOperation(db, id: opID, kind: .send, amount: amount, fee: fee, memo: memo)
            try db.execute(
                sql:
                    "UPDATE proofs SET state = 'pending', operation_id = ? WHERE secret IN (\(inputs.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([opID] + inputs.map(\.secret)))
            try self.insertInputs(db, operation: opID, inputs)
            var outs: [JournaledOutput]
            if let lock {
                // Locked outputs use fresh random secrets: a deterministic
                // secret is useless to us once the receiver holds the lock.
                outs = amount.split().enumerated().map { i, a in
                    let secret = lock.secret().raw
                    let data = try! BlindingData(amount: a, keysetID: keyset.id, secret: secret, r: .random())
                    return JournaledOutput(position: i, role: "send", blinding: data)
                }
            } else {
                outs = try self.deterministicOutputs(db, amounts: amount.split(), keyset: keyset, role: "send")
            }
            outs += try self.deterministicOutputs(
                db, amounts: change.split(), keyset: keyset, role: "keep", startPosition: outs.count)
            try self.insertOutputs(db, operation: opID, outs)
            return inputs
        }
        return (opID, inputs)
    }

    /// Builds the token from the operation's reserved proofs, stores it and
    /// marks the proofs spent (they belong to whoever holds the token).
    func finishSend(operation opID: String) async throws -> Sent {
        try await store.db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, memo FROM operations WHERE id = ?", arguments: [opID]) else {
                throw WalletError.corrupt("send \(opID) is not journaled")
            }
            if (row["state"] as String) == OperationState.sent.rawValue {
                let proofs = try self.loadProofs(db, sql: "operation_id = ? AND state = 'reserved'", arguments: [opID])
                let token = try Token(mint: self.mint.url, unit: self.unit, memo: row["memo"], proofs: proofs).serializedV4()
                try self.setProofs(db, operation: opID, from: .reserved, to: .spent)
                try self.setOperation(db, opID, state: .done, token: token)
            }
            return try self.sentSummary(db, opID)
        }
    }

    func sentSummary(_ opID: String) async throws -> Sent {
        try await store.db.read { db in try self.sentSummary(db, opID) }
    }

    nonisolated func sentSummary(_ db: Database, _ opID: String) throws -> Sent {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT amount, fee, token FROM operations WHERE id = ? AND state = 'done'", arguments: [opID]),
            let token: String = row["token"]
        else { throw WalletError.corrupt("send \(opID) has no token") }
        return Sent(
            token: token, amount: Amount(UInt64(row["amount"] as Int64)), fee: Amount(UInt64(row["fee"] as Int64)),
            operation: opID)
    }

    /// Largest-first selection until the proofs cover `amount` plus their own
    /// input fee. Returns the proofs and that fee.
    /// With `feeIncluded`, the proofs need only cover `amount`: the fee comes out of it.
    nonisolated func select(
        _ db: Database, amount: Amount, keysets: [KeysetInfo], feeIncluded: Bool = false
    ) throws -> ([Proof], Amount) {
        func inputFee(_ proofs: [Proof]) throws -> Amount {
            do { return try Fees.inputFee(for: proofs, keysets: keysets) } catch { throw WalletError.unknownKeyset("\(error)") }
        }
        let candidates = try loadProofs(db, sql: "mint = ? AND state = 'unspent' ORDER BY amount DESC", arguments: [mint.url])
        var chosen: [Proof] = []
        var total = Amount.zero
        for p in candidates {
            chosen.append(p)
            total = try total.adding(p.amount)
            let fee = try inputFee(chosen)
            if total >= (feeIncluded ? amount : try amount.adding(fee)) { return (chosen, fee) }
        }
        let fee = (try? inputFee(chosen)) ?? .zero
        throw WalletError.insufficientFunds(needed: try amount.adding(fee), available: total)
    }
}
