import Foundation
import LoomClient
import LoomProtocol
import Nostr
import Secp256k1

/// The one JSON object `loom job submit --json` (and the last line of
/// `loom job watch --json`) prints.
struct JobOutcomeJSON: Encodable {
    /// `sha256`, `size` and `type` describe the content (what `output` holds);
    /// `url` is the stored blob, ciphertext when `encrypted`. The key is not
    /// printed: this object lands in logs and CI output, the content is in
    /// `output` already, and the result event keeps the key for its reader.
    struct OutputJSON: Encodable {
        let url: String; let sha256: String; let size: UInt64; let type: String; let encrypted: Bool; let downloaded: Bool
    }
    let job_id: String
    let nevent: String
    let worker: String
    var status: String
    let output: String?
    let outputs: [OutputJSON]
    let usage: JobResult.Usage?
    let bill: Bill?
    let change_redeemed_sat: UInt64?
    let reclaimed_sat: UInt64?
    var error: Reason?
    let warnings: [String]

    init(_ outcome: JobOutcome, nevent: String) {
        job_id = outcome.jobID
        self.nevent = nevent
        worker = Self.npub(outcome.worker)
        status = outcome.status.rawValue
        output = outcome.output
        outputs = outcome.outputs.map {
            OutputJSON(url: $0.descriptor.url, sha256: $0.descriptor.sha256, size: $0.descriptor.size, type: $0.descriptor.type,
                       encrypted: $0.descriptor.encryption != nil, downloaded: $0.data != nil)
        }
        usage = outcome.usage
        bill = outcome.bill
        change_redeemed_sat = outcome.changeRedeemedSat?.value
        reclaimed_sat = outcome.reclaimedSat?.value
        error = outcome.error ?? (outcome.status == .timeout ? Reason(code: "timeout", message: "no final state before the deadline") : nil)
        warnings = outcome.warnings
    }

    enum CodingKeys: String, CodingKey {
        case job_id, nevent, worker, status, output, outputs, usage, bill, change_redeemed_sat, reclaimed_sat, error, warnings
    }

    /// Absent values are written as null, so every key is always there for `jq`.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job_id, forKey: .job_id)
        try c.encode(nevent, forKey: .nevent)
        try c.encode(worker, forKey: .worker)
        try c.encode(status, forKey: .status)
        try c.encode(output, forKey: .output)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(usage, forKey: .usage)
        try c.encode(bill, forKey: .bill)
        try c.encode(change_redeemed_sat, forKey: .change_redeemed_sat)
        try c.encode(reclaimed_sat, forKey: .reclaimed_sat)
        try c.encode(error, forKey: .error)
        try c.encode(warnings, forKey: .warnings)
    }

    static func npub(_ hex: String) -> String { (try? XOnlyPublicKey(hex: hex).npub) ?? hex }

    /// The object for a job sent without waiting (`--no-wait`).
    static func submitted(jobID: String, nevent: String, worker: String) -> JobOutcomeJSON {
        var outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
        outcome.warnings = []
        var json = JobOutcomeJSON(outcome, nevent: nevent)
        json.status = "submitted"
        json.error = nil
        return json
    }
}

/// The live progress line on a terminal's stderr.
enum ProgressLine {
    static func text(_ p: JobProgress) -> String {
        var parts = [p.state.rawValue]
        let elapsed = String(format: "%.1f", Double(p.elapsedMs) / 1000)
        parts.append(p.budgetSeconds.map { "\(elapsed)/\($0) s" } ?? "\(elapsed) s")
        parts.append("\(p.tokens) tokens")
        parts.append(String(format: "%.3f sat", Double(p.costMsat) / 1000))
        if let q = p.queuePosition { parts.append("queue #\(q)") }
        if let r = p.reason { parts.append("\(r.code): \(r.message)") }
        return parts.joined(separator: " · ")
    }

    static func show(_ p: JobProgress) {
        Console.write("\r\u{1B}[K" + text(p))
    }

    static func end() { Console.write("\r\u{1B}[K") }
}

extension Console {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
