import Foundation
import LoomTestSupport

/// The proxy's log entries that belong to one job. Its payment is known by
/// its proofs (inputs) and their Ys (checkstate); the worker's operations on
/// it by their blinded outputs (a swap's, then a restore's), which the
/// wallet DB ties to an operation, and the change operations by their memo.
struct JobTrail {
    enum Part: String { case payment, change }

    let entries: [(decision: MintProxy.Decision, part: Part)]

    init(_ ticket: Ticket, observation o: Observation, decisions: [MintProxy.Decision]) {
        let paymentInputs = Set(ticket.fingerprints)
        let paymentYs = Set(ticket.ys.map { String($0.prefix(16)) })
        let paymentOutputs = Set(
            decisions.filter { ($0.inputs ?? []).contains(where: paymentInputs.contains) }.flatMap { $0.outputs ?? [] })
        let memo = "loom change \(ticket.id.prefix(16))"
        let changeOps = Set(o.operations.filter { $0.kind == "send" && $0.memo == memo }.map(\.id))
        let changeOutputs = Set(changeOps.flatMap { o.outputs[$0] ?? [] })
        // The proofs a change swap spent, by the inputs the proxy saw with its outputs.
        let changeInputs = Set(
            decisions.filter { ($0.outputs ?? []).contains(where: changeOutputs.contains) }.flatMap { $0.inputs ?? [] })
        let changeYs = Set(o.proofs.filter { changeInputs.contains(fingerprint($0.secret)) }.map { String($0.y.prefix(16)) })
        // Those proofs were checked for other reasons before this job's change
        // began; only checks from its first change request on are its own.
        let changeStart = decisions.first { ($0.outputs ?? []).contains(where: changeOutputs.contains) }?.time ?? .infinity
        entries = decisions.compactMap { d in
            guard d.decision != nil else { return nil }  // control and outage events
            let inputs = d.inputs ?? [], outputs = d.outputs ?? [], ys = d.ys ?? []
            if inputs.contains(where: paymentInputs.contains) || outputs.contains(where: paymentOutputs.contains)
                || ys.contains(where: paymentYs.contains)
            {
                return (d, .payment)
            }
            if outputs.contains(where: changeOutputs.contains) || (d.time >= changeStart && ys.contains(where: changeYs.contains))
            {
                return (d, .change)
            }
            return nil
        }
    }

    /// Swap requests for this part of the job.
    func swaps(_ part: Part) -> [MintProxy.Decision] {
        entries.filter { $0.part == part && $0.decision.path == "/v1/swap" }.map(\.decision)
    }

    /// One line per entry, times relative to the start of the chaos; a
    /// cycle repeated back to back more than three times (swap → 5xx,
    /// restore, checkstate, again) is shown once with its count.
    func lines(origin: Date, limit: Int = 24) -> [String] {
        let keys = entries.map { "\($0.decision.path ?? "") \($0.part) \($0.decision.decision ?? "")" }
        let text = entries.map { d, part in
            let what = (d.decision ?? "?") + (d.garbage.map { " (\($0))" } ?? "") + (d.status.map { " \($0)" } ?? "")
            return String(format: "t%+.1fs ", d.time - origin.timeIntervalSince1970)
                + "proxy #\(d.seq ?? 0) \(d.path ?? "") [\(part)] → \(what)"
        }
        var lines: [String] = []
        var i = 0
        while i < keys.count {
            var best = (length: 1, times: 1)
            for length in 1...3 where i + 2 * length <= keys.count {
                var times = 1
                while i + (times + 1) * length <= keys.count,
                    keys[(i + times * length)..<(i + (times + 1) * length)].elementsEqual(keys[i..<(i + length)])
                {
                    times += 1
                }
                // Two or three repeats read fine as they are (and keep their times).
                if times > 3, length * times > best.length * best.times { best = (length, times) }
            }
            lines += text[i..<(i + best.length)]
            if best.times > 1 {
                lines.append("  ↺ the \(best.length == 1 ? "line" : "\(best.length) lines") above \(best.times) times in all")
            }
            i += best.length * best.times
        }
        if lines.isEmpty { return ["(no mint request through the proxy touched it)"] }
        return lines.count <= limit ? lines : Array(lines.prefix(limit - 4)) + ["…"] + lines.suffix(3)
    }
}
