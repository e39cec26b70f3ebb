import Cashu
import GRDB

/// Payments without a swap. A token made by a swap waits for the mint (a
/// round trip on the path of every paid call) and pays its input fee; a token
/// of proofs the wallet already holds in the right amounts leaves at once and
/// costs nothing (the receiver's swap fee is the receiver's, as always). So a
/// wallet that pays often (`loom gateway`) keeps a few proofs of each small
/// amount ready (`keepDenominations`), off the call path, and `sendHeld` uses them.
extension Wallet {
    /// A token worth exactly `amount` made of unspent proofs already held, or nil
    /// when no such set is found (then `send` swaps). The proofs are marked spent
    /// and the token stored in the same transaction that picks them, as `send`
    /// does after its swap: one payment, never two.
    ///
    /// At most as many proofs as `amount.split()` (its binary decomposition): a
    /// receiver's input fee counts proofs, and the payment was priced for that many.
    public func sendHeld(_ amount: Amount, memo: String? = nil) async throws -> Sent? {
        guard amount > .zero else { return nil }
        let opID = Self.newOperationID()
        let mintURL = mint.url, unit = self.unit
        return try await store.db.write { db -> Sent? in
            let held = try self.loadProofs(
                db, sql: "mint = ? AND state = 'unspent' ORDER BY amount DESC", arguments: [mintURL])
            guard let chosen = Self.exactSet(amount, from: held), chosen.count <= amount.split().count else { return nil }
            try self.insertOperation(db, id: opID, kind: .send, amount: amount, fee: .zero, memo: memo)
            try db.execute(
                sql:
                    "UPDATE proofs SET state = 'spent', operation_id = ? WHERE secret IN (\(chosen.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([opID] + chosen.map(\.secret)))
            let token = try Token(mint: mintURL, unit: unit, memo: memo, proofs: chosen).serializedV4()
            try self.setOperation(db, opID, state: .done, token: token)
            return Sent(token: token, amount: amount, fee: .zero, operation: opID)
        }
    }

    /// Largest first, taking a proof only while it fits in what is left: exact
    /// or nil. Pure, for tests.
    static func exactSet(_ amount: Amount, from held: [Proof]) -> [Proof]? {
        var left = amount.value
        var chosen: [Proof] = []
        for proof in held.sorted(by: { $0.amount.value > $1.amount.value }) where proof.amount.value <= left {
            chosen.append(proof)
            left -= proof.amount.value
            if left == 0 { return chosen }
        }
        return nil
    }

    /// The powers of two up to `largest` of which fewer than `each` unspent
    /// proofs are held, with how many are missing. Pure, for tests.
    static func missing(largest: Amount, each: Int, held: [Amount]) -> [Amount] {
        var out: [Amount] = []
        var d: UInt64 = 1
        while d <= largest.value {
            let have = held.filter { $0.value == d }.count
            out += Array(repeating: Amount(d), count: max(each - have, 0))
            d <<= 1
        }
        return out
    }

    /// Tops the wallet up to `each` proofs of every power of two up to
    /// `largest`, with one swap of the larger proofs, when one of them is
    /// gone or a third of them is missing (so not every payment triggers a swap). Returns the fee the swap cost, nil when nothing was done
    /// (enough held, or too little money to split). Journaled and driven like
    /// any swap, so a crash or a lost answer is recovered the same way. The
    /// operation is a `send` of 0 sat (memo `denominations`): every output is ours.
    ///
    /// `reserve`: the swap takes only proofs whose absence still leaves that
    /// much unspent, so a payment made meanwhile (the next call) is never
    /// short of money because its proofs are pending in this swap.
    @discardableResult
    public func keepDenominations(largest: Amount, each: Int = 3, reserve: Amount = .zero) async throws -> Amount? {
        guard largest > .zero, each > 0 else { return nil }
        let keyset = try await activeKeyset()
        let infos = keysets.values.map(\.info)
        let mintURL = mint.url
        let opID = Self.newOperationID()
        let journaled = try await store.db.write { db -> Bool in
            let held = try self.loadProofs(db, sql: "mint = ? AND state = 'unspent'", arguments: [mintURL])
            let wanted = Self.missing(largest: largest, each: each, held: held.map(\.amount))
            let full = Self.missing(largest: largest, each: each, held: [])
            let noneLeft = Set(full).subtracting(held.map(\.amount)).isEmpty == false
            guard !wanted.isEmpty, noneLeft || wanted.count * 3 >= full.count else { return false }
            let target = try Amount.sum(wanted)
            // Inputs: the largest proofs not themselves wanted, until they pay for the outputs and the fee.
            var inputs: [Proof] = []
            var total = Amount.zero
            var fee = Amount.zero
            for proof in held.sorted(by: { $0.amount.value > $1.amount.value }) where proof.amount > largest {
                inputs.append(proof)
                total = try total.adding(proof.amount)
                fee = try Fees.inputFee(for: inputs, keysets: infos)
                if total >= (try target.adding(fee)) { break }
            }
            guard !inputs.isEmpty, total >= (try target.adding(fee)) else { return false }
            let balance = try Amount.sum(held.map(\.amount))
            guard balance.value - total.value >= reserve.value else { return false }
            let rest = Amount(total.value - target.value - fee.value)
            try self.insertOperation(db, id: opID, kind: .send, amount: .zero, fee: fee, memo: "denominations")
            try db.execute(
                sql:
                    "UPDATE proofs SET state = 'pending', operation_id = ? WHERE secret IN (\(inputs.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([opID] + inputs.map(\.secret)))
            try self.insertInputs(db, operation: opID, inputs)
            let outs = try self.deterministicOutputs(
                db, amounts: wanted.sorted { $0.value < $1.value } + rest.split(), keyset: keyset, role: "keep")
            try self.insertOutputs(db, operation: opID, outs)
            return true
        }
        guard journaled else { return nil }
        switch try await drive(opID, sends: Self.sendsPerCall, askFirst: false) {
        case .done:
            return try await store.db.read { db in
                Amount(UInt64(try Int64.fetchOne(db, sql: "SELECT fee FROM operations WHERE id = ?", arguments: [opID]) ?? 0))
            }
        case .refused(let error): throw WalletError.mint(error)
        case .spentElsewhere:
            throw WalletError.mint(.alreadySpent("proofs this wallet held were spent elsewhere; run `loom wallet check`"))
        case .unknown: throw WalletError.pendingOutcome(operation: opID)
        }
    }
}
