import Foundation
import LoomClient
import LoomProtocol
import Secp256k1

/// The one JSON object `loom job submit --json` (and the last line of
/// `loom job watch --json`) prints. Every key is always there (`@Nullable`).
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
    @Nullable var output: String?
    let outputs: [OutputJSON]
    @Nullable var usage: JobResult.Usage?
    @Nullable var bill: Bill?
    @Nullable var change_redeemed_sat: UInt64?
    @Nullable var reclaimed_sat: UInt64?
    @Nullable var error: Reason?
    let warnings: [String]

    init(_ outcome: JobOutcome, nevent: String) {
        job_id = outcome.jobID
        self.nevent = nevent
        worker = Self.npub(outcome.worker)
        status = outcome.status.rawValue
        output = outcome.output
        outputs = outcome.outputs.map {
            OutputJSON(
                url: $0.descriptor.url, sha256: $0.descriptor.sha256, size: $0.descriptor.size, type: $0.descriptor.type,
                encrypted: $0.descriptor.encryption != nil, downloaded: $0.data != nil)
        }
        usage = outcome.usage
        bill = outcome.bill
        change_redeemed_sat = outcome.changeRedeemedSat?.value
        reclaimed_sat = outcome.reclaimedSat?.value
        error =
            outcome.error
            ?? (outcome.status == .timeout ? Reason(code: "timeout", message: "no final state before the deadline") : nil)
        warnings = outcome.warnings
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
