import Cashu
import Foundation
import GRDB
import Secp256k1

/// What a receive gave: the token's amount, the mint's input fee, and what is now ours.
public struct Received: Sendable, Codable, Hashable {
    public var amount: Amount
    public var fee: Amount
    public var received: Amount
    public var operation: String
}

extension Wallet {
    /// Checks a token offline for this wallet: mint, unit, keysets, DLEQ
    /// where present, P2PK locks we can open. Returns the token with full
    /// keyset ids, and its input fee. The witnesses are signed once the swap
    /// is journaled (`beginReceive`), so nothing is signed here. No mint call
    /// is made except to learn keysets we have not seen.
    public func inspect(_ text: String) async throws -> (token: Token, fee: Amount) {
        var token: Token
        do { token = try Token.decode(text) } catch { throw WalletError.token(error) }
        return try await inspect(token, text: text)
    }

    /// `inspect` of a token the caller has decoded already from `text`.
    public func inspect(_ decoded: Token, text: String) async throws -> (token: Token, fee: Amount) {
        let (token, fee, sigAll) = try await check(decoded)
        lastInspected = (text, token, fee, sigAll)
        return (token, fee)
    }

    /// `inspect`, also saying whether the token's locks ask for one SIG_ALL
    /// signature over the whole swap (added once the outputs are known).
    func check(_ text: String) async throws -> (token: Token, fee: Amount, sigAll: Bool) {
        let token: Token
        do { token = try Token.decode(text) } catch { throw WalletError.token(error) }
        return try await check(token)
    }

    func check(_ decoded: Token) async throws -> (token: Token, fee: Amount, sigAll: Bool) {
        var token = decoded
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
                guard let lockKey, P2PK.canUnlock(p, with: lockKey.publicKey, now: now) else {
                    throw WalletError.lockedToAnotherKey
                }
                if (try? P2PKConditions(secret: secret))?.sigFlag == .sigAll { sigAll = true }
            }
        }
        let fee = try inputFee(token.proofs)
        let total: Amount
        do { total = try token.amount() } catch { throw WalletError.token(error) }
        guard total > fee else { throw WalletError.amountTooSmall(amount: total, fee: fee) }
        return (token, fee, sigAll)
    }

    /// Swaps a token's proofs for our own. The token's proofs and our outputs
    /// are journaled before the swap request leaves. `reference` labels the
    /// operation for the caller (the worker: the job id) so that
    /// `receipt(reference:)` finds it again after a crash.
    ///
    /// A token this wallet has already taken, or is taking, is refused
    /// (`alreadyReceived`) before the mint is asked: one token, one receive.
    public func receive(_ text: String, reference: String? = nil) async throws -> Received {
        try await completeReceive(try await beginReceive(text, reference: reference))
    }

    /// A receive journaled and not yet sent to the mint (`beginReceive`).
    public struct PendingReceive: Sendable, Hashable {
        public let operation: String
        public let amount: Amount
        public let fee: Amount
    }

    /// A token checked and held for one receive (`claimReceive`): until
    /// `beginReceive(_:reference:)` journals its proofs, no other receive
    /// of this wallet may take them.
    public struct ReceiveClaim: Sendable {
        let token: Token
        let sigAll: Bool
        public let fee: Amount
        /// The mint the token is from.
        public var mint: String { token.mint }
        var secrets: [String] { token.proofs.map(\.secret) }
    }

    /// The first half of `receive`: checks the token and journals its
    /// proofs and our outputs, refusing a token already taken or being
    /// taken. Nothing reaches the mint.
    public func beginReceive(_ text: String, reference: String? = nil) async throws -> PendingReceive {
        try await beginReceive(try await claimReceive(text), reference: reference)
    }

    /// Checks a token and holds its proofs for one receive, refusing a token
    /// this wallet has taken, is taking or holds already. Nothing is written
    /// and nothing reaches the mint: a worker that admits a job early does
    /// this on the way to the backend and journals the swap beside the job.
    /// The hold ends with `beginReceive(_:reference:)` or `release(_:)`.
    public func claimReceive(_ text: String) async throws -> ReceiveClaim {
        let (token, fee, sigAll): (Token, Amount, Bool)
        if let last = lastInspected, last.text == text {
            (token, fee, sigAll) = (last.token, last.fee, last.sigAll)
        } else {
            (token, fee, sigAll) = try await check(text)
        }
        lastInspected = nil
        return try hold(ReceiveClaim(token: token, sigAll: sigAll, fee: fee))
    }

    /// `claimReceive` of a token the caller has decoded already.
    public func claimReceive(_ decoded: Token) async throws -> ReceiveClaim {
        let (token, fee, sigAll) = try await check(decoded)
        return try hold(ReceiveClaim(token: token, sigAll: sigAll, fee: fee))
    }

    /// Ends a claim that will not be received (the job was refused first).
    public nonisolated func release(_ claim: ReceiveClaim) {
        claimed.withLockedValue { $0.subtract(claim.secrets) }
    }

    /// Takes the hold first (one lock: two claims of one proof cannot both
    /// pass), then asks the journal, letting go if it knows a proof.
    private nonisolated func hold(_ claim: ReceiveClaim) throws -> ReceiveClaim {
        let secrets = claim.secrets
        let free = claimed.withLockedValue { held in
            guard !secrets.contains(where: held.contains) else { return false }
            held.formUnion(secrets)
            return true
        }
        guard free else { throw WalletError.held }
        do { try refuseKnownProofs(claim.token.proofs) } catch {
            release(claim)
            throw error
        }
        return claim
    }

    /// `receive` of a claimed token.
    public func receive(_ claim: ReceiveClaim, reference: String? = nil) async throws -> Received {
        try await completeReceive(try await beginReceive(claim, reference: reference))
    }

    /// Journals a claimed token's proofs and our outputs (the claim ends
    /// here, written or not). Nothing reaches the mint.
    public func beginReceive(_ claim: ReceiveClaim, reference: String? = nil) async throws -> PendingReceive {
        defer { release(claim) }
        let (token, fee, sigAll) = (claim.token, claim.fee, claim.sigAll)
        let total = try token.amount()
        let keep = Amount(total.value - fee.value)
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        let lockKey = self.lockKey
        try await store.db.write { db in
            try self.refuseKnownProofs(db, token.proofs)
            try self.insertOperation(
                db, id: opID, kind: .receive, amount: total, fee: fee, memo: token.memo, reference: reference)
            let outs = try self.deterministicOutputs(db, amounts: keep.split(), keyset: keyset, role: "keep")
            // SIG_ALL (NUT-11) signs inputs and outputs together, so it comes once the outputs exist.
            let inputs =
                sigAll
                ? try P2PK.signedSigAll(inputs: token.proofs, outputs: outs.map(\.blinding.message), with: lockKey!)
                : try self.witnessed(token.proofs)
            try self.insertProofs(db, inputs, state: .pending, operation: opID)
            try self.insertInputs(db, operation: opID, inputs)
            try self.insertOutputs(db, operation: opID, outs)
        }
        return PendingReceive(operation: opID, amount: total, fee: fee)
    }

    /// The second half of `receive`: the swap at the mint.
    public func completeReceive(_ pending: PendingReceive) async throws -> Received {
        let keep = Amount(pending.amount.value - pending.fee.value)
        switch try await drive(pending.operation, sends: Self.sendsPerCall, askFirst: false) {
        case .done:
            return Received(amount: pending.amount, fee: pending.fee, received: keep, operation: pending.operation)
        case .refused(let error):
            throw WalletError.mint(error)
        case .spentElsewhere:
            throw WalletError.mint(.alreadySpent("the token was spent elsewhere while the mint's answer to our swap was lost"))
        case .unknown:
            throw WalletError.pendingOutcome(operation: pending.operation)
        }
    }

    /// A token's proofs may be new to this wallet, or ones it sent away in a
    /// token of its own (they come back). Anything else — a token this
    /// wallet has taken, is taking, or saw spent — is refused here, so that
    /// two receives never share a proof and every proof row names the one
    /// operation that swapped it.
    nonisolated func refuseKnownProofs(_ db: Database, _ proofs: [Proof]) throws {
        let marks = proofs.map { _ in "?" }.joined(separator: ",")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.state, o.id, o.kind FROM proofs p LEFT JOIN operations o ON o.id = p.operation_id
                WHERE p.secret IN (\(marks))
                """, arguments: StatementArguments(proofs.map(\.secret)))
        for row in rows {
            let state: String = row["state"], kind: String? = row["kind"]
            if state == ProofStatus.spent.rawValue, kind == OperationKind.send.rawValue { continue }
            throw WalletError.alreadyReceived(operation: row["id"] ?? "unknown")
        }
    }

    /// `refuseKnownProofs` in a read of its own.
    nonisolated func refuseKnownProofs(_ proofs: [Proof]) throws {
        try store.db.read { db in try refuseKnownProofs(db, proofs) }
    }

    /// Each P2PK-locked proof with its SIG_INPUTS witness (`check` made sure this wallet's key opens it).
    nonisolated func witnessed(_ proofs: [Proof]) throws -> [Proof] {
        try proofs.map { proof in
            guard (try? WellKnownSecret(parsing: proof.secret)) != nil, let lockKey else { return proof }
            do { return try P2PK.signed(proof, with: lockKey) } catch { throw WalletError.lockedToAnotherKey }
        }
    }
}
