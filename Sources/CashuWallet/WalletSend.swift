import Cashu
import Foundation
import GRDB
import Secp256k1

/// A token this wallet made, and what making it cost.
public struct Sent: Sendable, Codable {
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
        return try await send(lockTo: lockTo, memo: memo) { db, infos in
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
        return try await send(lockTo: lockTo, memo: memo) { db, infos in
            let (inputs, fee) = try self.select(db, amount: total, keysets: infos, feeIncluded: true)
            guard total > fee else { throw WalletError.amountTooSmall(amount: total, fee: fee) }
            return (inputs, fee, Amount(total.value - fee.value))
        }
    }

    /// Journals a send whose inputs `choose` picks (in the same transaction,
    /// so two sends never pick the same proofs), then swaps.
    private func send(lockTo: PublicKey?, memo: String?,
                      choose: @Sendable @escaping (Database, [KeysetInfo]) throws -> ([Proof], Amount, Amount)) async throws -> Sent {
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        let infos = keysets.values.map(\.info)
        let (inputs, outputs, fee, amount) = try await store.db.write { db -> ([Proof], [JournaledOutput], Amount, Amount) in
            let (inputs, fee, amount) = try choose(db, infos)
            let total = try Amount.sum(inputs.map(\.amount))
            let change = Amount(total.value - amount.value - fee.value)
            try self.insertOperation(db, id: opID, kind: .send, amount: amount, fee: fee, memo: memo)
            try db.execute(sql: "UPDATE proofs SET state = 'pending', operation_id = ? WHERE secret IN (\(inputs.map { _ in "?" }.joined(separator: ",")))",
                           arguments: StatementArguments([opID] + inputs.map(\.secret)))
            var outs: [JournaledOutput]
            if let lockTo {
                // Locked outputs use fresh random secrets: a deterministic
                // secret is useless to us once the receiver holds the lock.
                outs = amount.split().enumerated().map { i, a in
                    let secret = P2PKConditions(data: lockTo).secret().raw
                    let data = try! BlindingData(amount: a, keysetID: keyset.id, secret: secret, r: .random())
                    return JournaledOutput(position: i, role: "send", blinding: data)
                }
            } else {
                outs = try self.deterministicOutputs(db, amounts: amount.split(), keyset: keyset, role: "send")
            }
            outs += try self.deterministicOutputs(db, amounts: change.split(), keyset: keyset, role: "keep", startPosition: outs.count)
            try self.insertOutputs(db, operation: opID, outs)
            return (inputs, outs, fee, amount)
        }
        try await swap(operation: opID, inputs: inputs, outputs: outputs)
        return try await finishSend(operation: opID, amount: amount, fee: fee, memo: memo)
    }

    /// Builds the token from the operation's reserved proofs, stores it and
    /// marks the proofs spent (they belong to whoever holds the token).
    func finishSend(operation opID: String, amount: Amount, fee: Amount, memo: String?) async throws -> Sent {
        try await store.db.write { db in
            let proofs = try self.loadProofs(db, sql: "operation_id = ? AND state = 'reserved'", arguments: [opID])
            let token = try Token(mint: self.mint.url, unit: self.unit, memo: memo, proofs: proofs).serializedV4()
            try self.setProofs(db, operation: opID, from: .reserved, to: .spent)
            try self.setOperation(db, opID, state: .done, token: token)
            return Sent(token: token, amount: amount, fee: fee, operation: opID)
        }
    }

    /// Largest-first selection until the proofs cover `amount` plus their own
    /// input fee. Returns the proofs and that fee.
    /// With `feeIncluded`, the proofs need only cover `amount`: the fee comes out of it.
    nonisolated func select(_ db: Database, amount: Amount, keysets: [KeysetInfo], feeIncluded: Bool = false) throws -> ([Proof], Amount) {
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
