import Cashu
import Foundation
import GRDB
import Secp256k1

/// What became of a journaled request to the mint (a swap or a mint).
public enum OperationOutcome: Sendable, Equatable {
    /// The mint did it and the wallet recorded the result.
    case done
    /// The mint refused it, and nothing changed hands.
    case refused(MintError)
    /// The inputs were spent by someone else first: nothing came to us.
    case spentElsewhere
    /// Not known yet: the mint did not answer, says the inputs are pending,
    /// or another live wallet is working on it. The operation stays
    /// journaled and `recover()` asks again later.
    case unknown(String)
}

/// A journaled request, read back from the journal (never from memory) so
/// that every copy of it carries the same inputs and outputs.
struct JournaledRequest: Sendable {
    var id: String
    var kind: OperationKind
    var quote: String?
    var inputs: [Proof]
    var outputs: [JournaledOutput]
}

/// What the mint says happened to a request whose answer we did not get.
enum MintVerdict: Sendable {
    case signed([BlindSignature])
    case spentElsewhere
    case notDone
    case unknown(String)
}

extension Wallet {
    /// Requests one call sends before an unanswered operation is left to
    /// `recover()`: a mint that fails every request cannot hold a caller
    /// (or a shutdown) for long.
    public static let sendsPerCall = 2

    /// Drives a journaled swap (receive, send) or mint to a known outcome.
    ///
    /// Sends the request; when the answer is lost (no answer, a 5xx, a 2xx
    /// we cannot read) asks the mint what happened — NUT-09: did it sign our
    /// outputs? NUT-07: are our inputs spent? — and, if nothing happened,
    /// sends the same request again. Same inputs, same outputs: two copies
    /// can never both go through, and a late copy is harmless. A refusal
    /// that may be the echo of an earlier copy (already spent, outputs
    /// already signed) is believed only once the mint says nothing happened.
    /// After `sends` requests the operation is postponed (`next_attempt_at`).
    func drive(_ opID: String, sends: Int, askFirst: Bool) async throws -> OperationOutcome {
        inFlight.insert(opID)
        defer { inFlight.remove(opID) }
        let request = try await loadRequest(opID)
        var ask = askFirst
        var echoPossible = askFirst
        var refusal: MintError?
        var sent = 0
        var problem = "the mint did not answer"
        while true {
            if ask {
                switch await verdict(request) {
                case .signed(let signatures): return try await settle(request, signatures: signatures)
                case .spentElsewhere: return try await spentElsewhere(request)
                case .unknown(let why): return try await postpone(opID, why)
                case .notDone:
                    if let refusal {
                        try await fail(operation: opID, reason: refusal.description)
                        return .refused(refusal)
                    }
                }
            }
            guard sent < sends else { return try await postpone(opID, problem) }
            if sent > 0 { try? await Task.sleep(for: .milliseconds(250 << min(sent, 4))) }
            sent += 1
            crash(at: "before-swap-request")
            let answer: Result<[BlindSignature], MintError>
            do { answer = .success(try await send(request)) } catch { answer = .failure(error) }
            switch answer {
            case .success(let signatures):
                crash(at: "after-swap-response")
                return try await settle(request, signatures: signatures)
            case .failure(let error) where error.outcomeUnknown:
                problem = error.description
                ask = true
                echoPossible = true
            case .failure(let error) where echoPossible && error.mayBeOurOwnEarlierRequest:
                refusal = error
                ask = true
            case .failure(let error):
                try await fail(operation: opID, reason: error.description)
                return .refused(error)
            }
        }
    }

    private func send(_ request: JournaledRequest) async throws(MintError) -> [BlindSignature] {
        let outputs = request.outputs.map(\.blinding.message)
        switch request.kind {
        case .mint:
            guard let quote = request.quote else { throw .malformedResponse("mint operation \(request.id) has no quote") }
            return try await mint.mint(quote: quote, outputs: outputs)
        default:
            return try await mint.swap(inputs: request.inputs, outputs: outputs)
        }
    }

    /// Asks the mint what became of `request`. Never throws: a mint that
    /// cannot answer is a verdict too.
    func verdict(_ request: JournaledRequest) async -> MintVerdict {
        if !request.outputs.isEmpty {
            let signatures: [BlindSignature?]
            do { signatures = try await restoredSignatures(request.outputs) } catch { return .unknown("restore: \(error)") }
            if signatures.allSatisfy({ $0 != nil }) { return .signed(signatures.map { $0! }) }
            // A swap is all or nothing; half an answer is a mint we cannot read.
            if signatures.contains(where: { $0 != nil }) { return .unknown("the mint signed only some of the outputs") }
        }
        guard !request.inputs.isEmpty else { return .notDone }
        let states: [ProofState]
        guard let Ys = try? request.inputs.map({ try $0.Y().hex }) else { return .unknown("an input's Y cannot be computed") }
        do { states = try await mint.checkState(Ys: Ys) } catch {
            return .unknown("checkstate: \(error)")
        }
        guard states.count == request.inputs.count else {
            return .unknown("checkstate answered for \(states.count) of \(request.inputs.count) proofs")
        }
        if states.contains(where: { $0.state == .pending }) { return .unknown("the mint says the inputs are pending") }
        if states.allSatisfy({ $0.state == .unspent }) { return .notDone }
        return .spentElsewhere
    }

    /// Records a swap or mint the mint signed, in one transaction; a send
    /// then gets its token. Signatures that do not verify leave the
    /// operation open: the mint took the inputs, and only it can fix that.
    func settle(_ request: JournaledRequest, signatures: [BlindSignature]) async throws -> OperationOutcome {
        let proofs: [Proof]
        do { proofs = try await unblind(signatures, request.outputs) } catch {
            return try await postpone(request.id, "the mint's signatures do not verify: \(error)")
        }
        let kept = zip(proofs, request.outputs).filter { $0.1.role != "send" }.map(\.0)
        let sent = zip(proofs, request.outputs).filter { $0.1.role == "send" }.map(\.0)
        let opID = request.id
        try await store.db.write { db in
            try self.setProofs(db, operation: opID, from: .pending, to: .spent)
            try self.insertProofs(db, kept, state: .unspent, operation: opID)
            // Proofs for a token stay reserved until the token is built and stored.
            try self.insertProofs(db, sent, state: .reserved, operation: opID)
            try self.setOperation(db, opID, state: sent.isEmpty ? .done : .sent)
        }
        // A send with no `send` outputs (`keepDenominations`) has no token to build.
        if request.kind == .send, !sent.isEmpty { _ = try await finishSend(operation: opID) }
        return .done
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

    /// Someone else spent the inputs first. For a receive the token was
    /// never ours; for a send, proofs we held were spent without us: they
    /// are written off (or explained by an earlier operation, see `heal`),
    /// and the inputs still unspent come back.
    func spentElsewhere(_ request: JournaledRequest) async throws -> OperationOutcome {
        let opID = request.id
        if request.kind == .receive {
            try await store.db.write { db in
                try self.setProofs(db, operation: opID, from: .pending, to: .spent)
                try self.setOperation(db, opID, state: .failed, error: Self.spentElsewhereReason)
            }
            return .spentElsewhere
        }
        try await fail(operation: opID, reason: Self.spentElsewhereReason)
        _ = try await heal(request.inputs)
        return .spentElsewhere
    }

    static let spentElsewhereReason = "the inputs were spent by someone else"

    /// Leaves an operation whose outcome is unknown for a later `recover()`,
    /// backing off: 2, 4, 8 … seconds after each unanswered round, at most 5 minutes.
    func postpone(_ opID: String, _ why: String) async throws -> OperationOutcome {
        try await store.db.write { db in
            let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM operations WHERE id = ?", arguments: [opID]) ?? 0
            let delay = Int64(min(300, 1 << min(attempts + 1, 9)))
            try db.execute(
                sql: "UPDATE operations SET attempts = attempts + 1, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
                arguments: [Self.now() + delay, why, Self.now(), opID])
        }
        return .unknown(why)
    }

    func loadRequest(_ opID: String) async throws -> JournaledRequest {
        try await store.db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, quote FROM operations WHERE id = ?", arguments: [opID]),
                let kind = OperationKind(rawValue: row["kind"])
            else { throw WalletError.corrupt("operation \(opID) is not journaled") }
            let inputs = try self.loadProofs(db, sql: "operation_id = ? AND state = 'pending'", arguments: [opID])
            return JournaledRequest(
                id: opID, kind: kind, quote: row["quote"], inputs: inputs,
                outputs: try self.loadOutputs(db, operation: opID))
        }
    }
}
