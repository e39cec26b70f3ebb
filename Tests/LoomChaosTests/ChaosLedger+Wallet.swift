import Cashu
import CashuWallet
import Foundation
import LoomProtocol

/// The worker's wallet database against the mint: what it calls unspent,
/// what it calls spent, what the mint signed for it, and its change swaps.
extension ChaosLedger {
    mutating func checkWallet() {
        let sendOps = Dictionary(uniqueKeysWithValues: o.operations.filter { $0.kind == "send" }.map { ($0.id, $0) })
        var unspentInDB: UInt64 = 0, spentAtMint: [String: UInt64] = [:], stranded: [String: UInt64] = [:],
            held: [String: UInt64] = [:]
        let paymentYs = Set(tickets.flatMap(\.ys))
        let changeYs = Set(o.changeProofs.values.flatMap { $0 }.compactMap { try? $0.Y().hex })
        for proof in o.proofs {
            let atMint = o.mint[proof.y]
            switch proof.state {
            case "unspent":
                unspentInDB += proof.amount
                if atMint == .unspent {
                    kept += proof.amount
                } else {
                    let row = proof.operationID.map { "; its row was last written by \(describe(operation: $0))" } ?? ""
                    spentAtMint[firstReach(proof.secret) + row, default: 0] += proof.amount
                }
            case "pending", "reserved":
                held[proof.operationID ?? "none", default: 0] += proof.amount
            default:
                // Spent in the DB but unspent at the mint: fine for change a client
                // still holds; otherwise money the worker no longer counts.
                guard atMint == .unspent, !changeYs.contains(proof.y) else { continue }
                if paymentYs.contains(proof.y) {
                    let t = tickets.first { $0.ys.contains(proof.y) }
                    fail(
                        t,
                        "the worker's wallet calls a \(proof.amount)-sat payment proof spent; the mint says unspent (never taken)"
                    )
                } else if let op = proof.operationID.flatMap({ sendOps[$0] }), op.token != nil,
                    !publishedChange.contains(op.token!)
                {
                    continue  // an undelivered change token, reported per operation below
                } else {
                    stranded[proof.operationID ?? "none", default: 0] += proof.amount
                }
            }
        }
        for (reach, sat) in spentAtMint.sorted(by: { $0.key < $1.key }) {
            fail(nil, "the worker's wallet counts \(sat) sat of proofs as unspent that the mint says are spent; \(reach)")
        }
        for (id, sat) in stranded.sorted(by: { $0.key < $1.key }) {
            fail(
                ticket(forOperation: id),
                "\(sat) sat of the worker's own proofs are marked spent in its wallet but unspent at the mint (last touched by \(describe(operation: id)))"
            )
        }
        for op in o.operations where op.state == "prepared" || op.state == "sent" {
            let proofs = held[op.id].map { ", holding \($0) sat of proofs pending" } ?? ""
            fail(
                ticket(forOperation: op.id),
                "the wallet's \(describe(operation: op.id)) is still open after the worker stopped\(proofs)")
        }
        let openOps = Set(o.operations.filter { $0.state == "prepared" || $0.state == "sent" }.map(\.id))
        for (id, sat) in held.sorted(by: { $0.key < $1.key }) where !openOps.contains(id) {
            fail(
                ticket(forOperation: id),
                "\(sat) sat of proofs are pending or reserved in the worker's wallet with no open operation (\(describe(operation: id)))"
            )
        }
        checkSends()
        checkSignedOutputs()
        let settled = o.journal.values.filter { $0.bill != nil }
        let charged = settled.reduce(UInt64(0)) { $0 + ($1.chargedSat ?? 0) }
        if unspentInDB != charged {
            let held = o.journal.values.filter { ($0.bill == nil && $0.inputFeeSat > 0) || $0.state.holdsPayment }
            let heldSat = held.reduce(UInt64(0)) { $0 + $1.paidSat - $1.inputFeeSat }
            fail(
                nil,
                "the worker's wallet holds \(unspentInDB) sat; its journal's \(settled.count) settled jobs charged \(charged) sat (results on the relay: \(chargedOnRelay)); \(held.count) unsettled paid jobs hold \(heldSat) sat"
            )
        }
    }

    /// Outputs the mint signed (NUT-09) that the wallet never turned into
    /// proofs: money at the mint that nobody holds. A failed operation whose
    /// outputs were signed is the usual cause (an unreadable answer taken
    /// for a refusal).
    mutating func checkSignedOutputs() {
        let stored = Set(o.proofs.map(\.secret))
        let delivered = Set(o.changeProofs.values.flatMap { $0 }.map(\.secret))
        var lost: [String: UInt64] = [:]
        for out in o.walletOutputs where o.signed.contains(out.message.B_.hex) && o.mint[out.y] == .unspent {
            guard !stored.contains(out.secret), !delivered.contains(out.secret) else { continue }
            lost[out.operationID, default: 0] += out.message.amount.value
        }
        for (id, sat) in lost.sorted(by: { $0.key < $1.key }) {
            fail(
                ticket(forOperation: id),
                "the mint signed \(sat) sat of outputs of the wallet's \(describe(operation: id)) that the wallet never stored (unspent, owned by nobody)"
            )
        }
    }

    /// The first request that took a proof to the mint (not refused by the
    /// proxy on the way), and whose swap it was.
    func firstReach(_ secret: String) -> String {
        let mark = fingerprint(secret)
        guard
            let d = decisions.first(where: { d in
                d.path == "/v1/swap" && (d.inputs ?? []).contains(mark)
                    && !["error", "burst", "outage"].contains(d.decision ?? "")
            })
        else { return "no swap through the proxy carried them" }
        let op = o.outputs.first { _, outputs in (d.outputs ?? []).contains(where: outputs.contains) }?.key
        return
            "first spent by proxy #\(d.seq ?? 0) swap → \(d.decision ?? "?")\(d.garbage.map { " (\($0))" } ?? ""), \(op.map { describe(operation: $0) } ?? "an operation the wallet no longer has")"
    }

    func describe(operation id: String) -> String {
        guard let op = o.operations.first(where: { $0.id == id }) else { return "operation \(id.prefix(8))" }
        let job = ticket(forOperation: id).map { " for job \($0.job.label)" } ?? ""
        return "\(op.kind) operation \(id.prefix(8))\(job) (\(op.state)\(op.error.map { ": \($0.prefix(90))" } ?? ""))"
    }

    /// The job a wallet operation served: a change by its memo, a receive by
    /// the payment the proxy saw travel with the operation's outputs.
    func ticket(forOperation id: String) -> Ticket? {
        if let memo = o.operations.first(where: { $0.id == id })?.memo {
            return tickets.first { memo == "loom change \($0.id.prefix(16))" }
        }
        let outputs = Set(o.outputs[id] ?? [])
        guard let request = decisions.first(where: { ($0.outputs ?? []).contains(where: outputs.contains) && $0.inputs != nil })
        else { return nil }
        return tickets.first { t in (request.inputs ?? []).contains(where: t.fingerprints.contains) }
    }

    /// One change swap per job, and every change made reaches the client.
    mutating func checkSends() {
        var byMemo: [String: [Observation.WalletOperation]] = [:]
        for op in o.operations where op.kind == "send" && op.state == "done" { byMemo[op.memo ?? "", default: []].append(op) }
        for (memo, ops) in byMemo {
            let ticket = tickets.first { memo == "loom change \($0.id.prefix(16))" }
            if ops.count > 1 {
                fail(
                    ticket,
                    "change made \(ops.count) times (\(ops.map { "\($0.amount) sat" }.joined(separator: ", "))), memo \"\(memo)\""
                )
            }
            for op in ops where !publishedChange.contains(op.token ?? "") {
                fail(ticket, "a \(op.amount)-sat change token was made (fee \(op.fee)) but is in no published result")
            }
        }
    }
}
