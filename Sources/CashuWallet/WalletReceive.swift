import Cashu
import Foundation
import GRDB
import Secp256k1

/// What a receive gave: the token's amount, the mint's input fee, and what is now ours.
public struct Received: Sendable, Codable {
    public var amount: Amount
    public var fee: Amount
    public var received: Amount
    public var operation: String
}

extension Wallet {
    /// Checks a token offline for this wallet: mint, unit, keysets, DLEQ
    /// where present, P2PK locks we can open. Returns the token with full
    /// keyset ids and witnesses added, and its input fee. No mint call is
    /// made except to learn keysets we have not seen.
    public func inspect(_ text: String) async throws -> (token: Token, fee: Amount) {
        let (token, fee, sigAll) = try await check(text)
        lastInspected = (text, token, fee, sigAll)
        return (token, fee)
    }

    /// `inspect`, also saying whether the token's locks ask for one SIG_ALL
    /// signature over the whole swap (added once the outputs are known).
    func check(_ text: String) async throws -> (token: Token, fee: Amount, sigAll: Bool) {
        var token: Token
        do { token = try Token.decode(text) } catch { throw WalletError.token(error) }
        guard token.mint == mint.url else { throw WalletError.wrongMint(token: token.mint, wallet: mint.url) }
        guard token.unit == unit else { throw WalletError.wrongUnit(token: token.unit.rawValue, wallet: unit.rawValue) }
        do { try token.validate() } catch { throw WalletError.token(error) }
        try await ensureKeysets()
        if token.keysetIDs.contains(where: { id in !keysets.keys.contains { id.refers(to: $0) || id == $0 } }) {
            try await refreshKeysets()
        }
        do { token = try token.resolvingKeysetIDs(among: Array(keysets.keys)) } catch { throw WalletError.token(error) }
        let now = UInt64(Self.now())
        var sigAll = false
        for i in token.proofs.indices {
            let p = token.proofs[i]
            let ks = try await keyset(p.id)
            guard ks.unit == unit else { throw WalletError.wrongUnit(token: ks.unit.rawValue, wallet: unit.rawValue) }
            if p.dleq != nil {
                do { try p.verifyDLEQ(A: try ks.key(for: p.amount)) } catch { throw WalletError.dleqInvalid("\(error)") }
            }
            if let secret = try? WellKnownSecret(parsing: p.secret) {
                guard let lockKey, P2PK.canUnlock(p, with: lockKey.publicKey, now: now) else { throw WalletError.lockedToAnotherKey }
                if (try? P2PKConditions(secret: secret))?.sigFlag == .sigAll {
                    sigAll = true
                } else {
                    do { token.proofs[i] = try P2PK.signed(p, with: lockKey) } catch { throw WalletError.lockedToAnotherKey }
                }
            }
        }
        let fee = try inputFee(token.proofs)
        let total: Amount
        do { total = try token.amount() } catch { throw WalletError.token(error) }
        guard total > fee else { throw WalletError.amountTooSmall(amount: total, fee: fee) }
        return (token, fee, sigAll)
    }

    /// Swaps a token's proofs for our own. The token's proofs and our outputs
    /// are journaled before the swap request leaves.
    public func receive(_ text: String) async throws -> Received {
        let (token, fee, sigAll): (Token, Amount, Bool)
        if let last = lastInspected, last.text == text {
            (token, fee, sigAll) = (last.token, last.fee, last.sigAll)
        } else {
            (token, fee, sigAll) = try await check(text)
        }
        lastInspected = nil
        let total = try token.amount()
        let keep = Amount(total.value - fee.value)
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        let lockKey = self.lockKey
        let (inputs, outputs) = try await store.db.write { db in
            try self.insertOperation(db, id: opID, kind: .receive, amount: total, fee: fee, memo: token.memo)
            let outs = try self.deterministicOutputs(db, amounts: keep.split(), keyset: keyset, role: "keep")
            // SIG_ALL (NUT-11) signs inputs and outputs together, so it comes once the outputs exist.
            let inputs = sigAll
                ? try P2PK.signedSigAll(inputs: token.proofs, outputs: outs.map(\.blinding.message), with: lockKey!)
                : token.proofs
            try self.insertProofs(db, inputs, state: .pending, operation: opID)
            try self.insertOutputs(db, operation: opID, outs)
            return (inputs, outs)
        }
        try await swap(operation: opID, inputs: inputs, outputs: outputs)
        return Received(amount: total, fee: fee, received: keep, operation: opID)
    }

    /// Sends a journaled swap and settles it. A refusal rolls the operation
    /// back; no answer leaves it for `recover()`.
    func swap(operation opID: String, inputs: [Proof], outputs: [JournaledOutput]) async throws {
        let signatures: [BlindSignature]
        crash(at: "before-swap-request")
        do {
            signatures = try await mint.swap(inputs: inputs, outputs: outputs.map(\.blinding.message))
        } catch {
            if error.outcomeUnknown {
                // The mint may have signed; NUT-09 will tell. Try once now.
                if (try? await recover(operation: opID)) == true { return }
                throw WalletError.pendingOutcome(operation: opID)
            }
            try await fail(operation: opID, reason: error.description)
            throw WalletError.mint(error)
        }
        crash(at: "after-swap-response")
        try await settleSwap(operation: opID, signatures: signatures, outputs: outputs)
    }

    /// Records the outcome of a successful swap in one transaction.
    func settleSwap(operation opID: String, signatures: [BlindSignature], outputs: [JournaledOutput]) async throws {
        let proofs = try await unblind(signatures, outputs)
        let kept = zip(proofs, outputs).filter { $0.1.role != "send" }.map(\.0)
        let sent = zip(proofs, outputs).filter { $0.1.role == "send" }.map(\.0)
        try await store.db.write { db in
            try self.setProofs(db, operation: opID, from: .pending, to: .spent)
            try self.insertProofs(db, kept, state: .unspent, operation: opID)
            // Proofs for a token stay reserved until the token is built and stored.
            try self.insertProofs(db, sent, state: .reserved, operation: opID)
            try self.setOperation(db, opID, state: sent.isEmpty ? .done : .sent)
        }
    }

    /// A refused operation: its inputs are ours again (or, for a receive, were never ours).
    func fail(operation opID: String, reason: String) async throws {
        try await store.db.write { db in
            let kind = try String.fetchOne(db, sql: "SELECT kind FROM operations WHERE id = ?", arguments: [opID])
            if kind == OperationKind.receive.rawValue {
                try db.execute(sql: "DELETE FROM proofs WHERE operation_id = ? AND state = 'pending'", arguments: [opID])
            } else {
                try self.setProofs(db, operation: opID, from: .pending, to: .unspent)
                try self.setProofs(db, operation: opID, from: .reserved, to: .unspent)
            }
            try self.setOperation(db, opID, state: .failed, error: reason)
        }
    }
}
