import Cashu
import Foundation
import GRDB
import Secp256k1

public struct Melted: Sendable, Codable {
    public var paid: Bool
    public var amount: Amount
    public var feeReserve: Amount
    public var inputFee: Amount
    public var change: Amount
    public var preimage: String?
    public var operation: String
}

extension Wallet {
    /// Asks the mint for a bolt11 invoice of `amount` (NUT-04). Pay it, then `mint(quote:)`.
    public func requestMint(_ amount: Amount) async throws -> MintQuote {
        do { return try await mint.mintQuote(amount: amount, unit: unit) } catch { throw WalletError.mint(error) }
    }

    /// Mints the proofs of a paid quote, waiting up to `timeout` for payment.
    /// Outputs are journaled with the quote id before the request.
    public func mint(quote: String, amount: Amount, timeout: Duration = .seconds(60)) async throws -> Amount {
        let deadline = ContinuousClock.now + timeout
        while true {
            let state: MintQuote
            do { state = try await mint.mintQuoteState(quote) } catch { throw WalletError.mint(error) }
            if state.state == .paid { break }
            if state.state == .issued { throw WalletError.mint(.quoteAlreadyIssued(quote)) }
            guard ContinuousClock.now < deadline else { throw WalletError.quoteNotPaid(quote) }
            try await Task.sleep(for: .milliseconds(500))
        }
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        try await store.db.write { db in
            try self.insertOperation(db, id: opID, kind: .mint, amount: amount, fee: .zero, quote: quote)
            let outs = try self.deterministicOutputs(db, amounts: amount.split(), keyset: keyset, role: "keep")
            try self.insertOutputs(db, operation: opID, outs)
        }
        switch try await drive(opID, sends: Self.sendsPerCall, askFirst: false) {
        case .done: return amount
        case .refused(let error): throw WalletError.mint(error)
        case .spentElsewhere, .unknown: throw WalletError.pendingOutcome(operation: opID)  // a mint request has no inputs to lose
        }
    }

    /// Pays a bolt11 invoice from the wallet (NUT-05) and keeps the unused
    /// fee reserve through blank outputs (NUT-08).
    public func melt(invoice: String) async throws -> Melted {
        let quote: MeltQuote
        do { quote = try await mint.meltQuote(request: invoice, unit: unit) } catch { throw WalletError.mint(error) }
        let keyset = try await activeKeyset()
        let opID = Self.newOperationID()
        let needed = try quote.amount.adding(quote.feeReserve)
        let infos = keysets.values.map(\.info)
        let (inputs, outputs, inputFee) = try await store.db.write { db -> ([Proof], [JournaledOutput], Amount) in
            let (inputs, fee) = try self.select(db, amount: needed, keysets: infos)
            try self.insertOperation(db, id: opID, kind: .melt, amount: quote.amount, fee: fee, quote: quote.quote)
            try db.execute(
                sql:
                    "UPDATE proofs SET state = 'pending', operation_id = ? WHERE secret IN (\(inputs.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([opID] + inputs.map(\.secret)))
            // NUT-08: ceil(log2(fee_reserve)) blank outputs (at least one) can carry any overpaid fee back.
            let overpaid = try Amount.sum(inputs.map(\.amount)).value - quote.amount.value - fee.value
            let count = max(1, overpaid == 0 ? 0 : 64 - (overpaid - 1).leadingZeroBitCount)
            let outs = try self.deterministicOutputs(
                db, amounts: Array(repeating: Amount(1), count: count), keyset: keyset, role: "change")
            try self.insertOutputs(db, operation: opID, outs)
            return (inputs, outs, fee)
        }
        let result: MeltQuote
        do {
            result = try await mint.melt(quote: quote.quote, inputs: inputs, outputs: outputs.map(\.blinding.message))
        } catch {
            if error.outcomeUnknown {
                if case .done? = try? await recover(operation: opID) { return try meltedSummary(opID) }
                throw WalletError.pendingOutcome(operation: opID)
            }
            try await fail(operation: opID, reason: error.description)
            throw WalletError.mint(error)
        }
        try await settleMelt(operation: opID, result: result, outputs: outputs)
        var summary = try meltedSummary(opID)
        summary.preimage = result.paymentPreimage
        summary.feeReserve = quote.feeReserve
        summary.inputFee = inputFee
        return summary
    }

    func settleMelt(operation opID: String, result: MeltQuote, outputs: [JournaledOutput]) async throws {
        switch result.state {
        case .paid:
            let change = result.change ?? []
            // Change signatures answer the first outputs, with the amounts the mint chose.
            let used = Array(outputs.prefix(change.count)).enumerated().map { i, o -> JournaledOutput in
                var o = o
                o.blinding = try! BlindingData(
                    amount: change[i].amount, keysetID: change[i].id, secret: o.blinding.secret, r: o.blinding.r)
                return o
            }
            let proofs = try await unblind(change, used)
            try await store.db.write { db in
                try self.setProofs(db, operation: opID, from: .pending, to: .spent)
                try self.insertProofs(db, proofs, state: .unspent, operation: opID)
                try self.setOperation(db, opID, state: .done)
            }
        case .unpaid:
            try await fail(operation: opID, reason: "the mint could not pay the invoice")
        case .pending, .issued:
            throw WalletError.pendingOutcome(operation: opID)
        }
    }

    func meltedSummary(_ opID: String) throws -> Melted {
        try store.db.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM operations WHERE id = ?", arguments: [opID])!
            let change =
                try Int64.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(amount),0) FROM proofs WHERE operation_id = ? AND state = 'unspent'",
                    arguments: [opID]) ?? 0
            return Melted(
                paid: (row["state"] as String) == OperationState.done.rawValue, amount: Amount(UInt64(row["amount"] as Int64)),
                feeReserve: .zero, inputFee: Amount(UInt64(row["fee"] as Int64)), change: Amount(UInt64(change)), preimage: nil,
                operation: opID)
        }
    }
}
