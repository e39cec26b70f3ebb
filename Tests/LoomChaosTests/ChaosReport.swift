import Foundation
import LoomTestSupport

/// The failure message of a chaos run: the seed and how to replay it, the
/// money, then each job's violations under one heading with the proxy
/// decisions that touched its payment and its change, in order.
struct ChaosReport {
    let plan: ChaosPlan
    let ledger: ChaosLedger
    let observation: Observation
    let decisions: [MintProxy.Decision]
    let origin: Date
    let root: URL
    let elapsed: Duration
    let marksSeen: [String]

    var text: String {
        let seconds = Double(elapsed.components.seconds)
        var lines = [
            "chaos seed \(plan.seed): \(ledger.violations.count) invariant violation(s), run took \(Int(seconds)) s — \(plan.summary)",
            "replay: LOOM_CHAOS_SEED=\(plan.seed) swift test --skip-build --filter ChaosSuites.ChaosTests  (or make chaos SEEDS=\(plan.seed)); logs: \(root.path)",
            "money: \(ledger.taken) jobs taken; paid \(ledger.paidTaken) sat; kept \(ledger.kept) + change \(ledger.changeOut) + fees billed \(ledger.fees) + payment fees of unsettled jobs \(ledger.unbilledFees)",
            "proxy decisions while faults were on: \(faultCounts)",
            "worker: " + marks,
        ]
        var byJob: [Int: [String]] = [:]
        for v in ledger.violations {
            if let t = v.ticket { byJob[t.job.index, default: []].append(v.message) } else { lines.append("- \(v.message)") }
        }
        for ticket in ledger.tickets where byJob[ticket.job.index] != nil {
            lines.append("- \(ticket.label)\(describe(ticket.job)):")
            lines += byJob[ticket.job.index]!.map { "    • \($0)" }
            lines += JobTrail(ticket, observation: observation, decisions: decisions).lines(origin: origin).map { "      \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    func describe(_ job: ChaosPlan.Job) -> String {
        var parts = [String(format: "sent t%+.1fs", job.submitAt), "\(job.numPredict) tokens"]
        if let max = job.maxSeconds { parts.append("max \(max) s") }
        if let after = job.cancelAfter { parts.append(String(format: "cancel +%.1fs", after)) }
        if let at = job.doubleSpendAt { parts.append(String(format: "carol spends it %+.1fs", at)) }
        return " [" + parts.joined(separator: ", ") + "]"
    }

    /// Kills, starts, stops and the operator's command, as they happened.
    var marks: String { marksSeen.joined(separator: "; ") }

    var faultCounts: String {
        var counts: [String: Int] = [:]
        for d in decisions where d.n != nil { counts[d.decision ?? "?", default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
