import Foundation
import LoomClient
import LoomProtocol
import Secp256k1

/// One worker as `loom workers` shows it.
struct WorkerRow: Encodable {
    let name: String
    let npub: String
    let models: [String]
    /// Models loaded now; null when the worker does not say.
    @Nullable var warm: [String]?
    let msat_per_second: UInt64
    let sat_per_second: Double
    let sat_per_minute: Double
    let min_seconds: UInt64
    let max_seconds: UInt64
    let mints: [String]
    let max_concurrent: Int
    let running: Int
    let queued: Int
    let age_seconds: Int64
    let expires_in_seconds: Int64
    /// `new`, `ok 14/15` or `AVOID change-fake`: this client's record of the worker.
    let score: String
    let record: RecordJSON

    /// What this client's journal says of the worker (docs/CLIENT.md, "Worker records").
    struct RecordJSON: Encodable {
        let standing: String
        @Nullable var avoided_for: String?
        let jobs: Int
        let completed: Int
        let failed: Int
        let unsettled: Int
        let spent_sat: UInt64
        let returned_sat: UInt64
        let cost_sat: UInt64
        let charged_sat: UInt64
        let billed_ms: UInt64
        let completion_tokens: UInt64
        @Nullable var tokens_per_billed_second: Double?
        @Nullable var median_first_text_ms: UInt64?
        let failures: [String: Int]
        let findings: [String: Int]
        @Nullable var forgiven_at: Int64?
        @Nullable var last_job_at: Int64?

        init(_ r: WorkerRecord) {
            switch r.standing {
            case .new: standing = "new"
            case .good: standing = "good"
            case .avoided(let finding):
                standing = "avoided"
                avoided_for = finding.rawValue
            }
            jobs = r.jobs
            completed = r.completed
            failed = r.failed
            unsettled = r.unsettled
            spent_sat = r.spentSat
            returned_sat = r.returnedSat
            cost_sat = r.costSat
            charged_sat = r.chargedSat
            billed_ms = r.billedMs
            completion_tokens = r.completionTokens
            tokens_per_billed_second = r.tokensPerBilledSecond
            median_first_text_ms = r.medianFirstTextMs
            failures = r.failures
            findings = r.findings
            forgiven_at = r.forgivenAt
            last_job_at = r.lastJobAt
        }
    }

    init(_ offer: WorkerOffer, now: Int64, record: WorkerRecord? = nil) {
        let ad = offer.advertisement
        name = ad.name
        npub = (try? XOnlyPublicKey(hex: offer.worker).npub) ?? offer.worker
        models = ad.models
        warm = ad.warm
        msat_per_second = ad.pricing.msatPerSecond
        sat_per_second = Double(ad.pricing.msatPerSecond) / 1000
        sat_per_minute = Double(ad.pricing.msatPerSecond) * 60 / 1000
        min_seconds = ad.pricing.minSeconds
        max_seconds = ad.pricing.maxSeconds
        mints = ad.mints
        max_concurrent = ad.capacity.maxConcurrent
        running = ad.capacity.running
        queued = ad.capacity.queued
        age_seconds = max(0, now - offer.createdAt)
        expires_in_seconds = offer.expiresAt - now
        let known = record ?? WorkerRecord(worker: offer.worker)
        score = known.score
        self.record = RecordJSON(known)
    }

    var line: String {
        let price = String(format: "%.3f sat/s (%.2f sat/min)", sat_per_second, sat_per_minute)
        return
            "\(name)  \(npub)  [\(score)]\n  models: \(models.joined(separator: ", "))\n"
            + (warm.map { "  warm: \($0.isEmpty ? "none loaded" : $0.joined(separator: ", "))\n" } ?? "")
            + "  price: \(price), \(min_seconds)–\(max_seconds) s\n"
            + "  mints: \(mints.joined(separator: ", "))\n  capacity: \(running)/\(max_concurrent) running, \(queued) queued; offer \(age_seconds) s old"
    }
}
