import Foundation
import LoomClient

/// One journaled job as `loom job list` shows it. Tokens are secrets: only
/// whether there is one is shown, never the token.
struct JobListRow: Encodable {
    let job_id: String
    let worker: String
    @Nullable var model: String?
    let paid_sat: UInt64
    @Nullable var mint: String?
    @Nullable var payment_source: String?
    let stage: String
    @Nullable var last_state: String?
    let created_at: Int64
    let has_reclaimable_token: Bool
    let has_pending_change: Bool
    let money_in_flight: Bool
    @Nullable var note: String?
    /// `gateway` for a call `loom gateway` made; null for `loom job submit`.
    @Nullable var via: String?
    /// What the job took from the wallet (payment and fees, less change and reclaims); null before this was journaled.
    @Nullable var cost_sat: UInt64?
    @Nullable var charged_sat: UInt64?
    /// The error code a failed job ended with (`silent` when the worker never spoke).
    @Nullable var cause: String?
    /// What the worker did wrong in this job (`kept-payment`, `change-fake`, …: docs/CLIENT.md).
    let findings: [String]

    init(_ job: JournaledJob) {
        job_id = job.jobID
        worker = JobOutcomeJSON.npub(job.worker)
        model = job.model
        paid_sat = job.paidSat
        mint = job.mint
        payment_source = job.paymentSource
        stage = job.stage.rawValue
        last_state = job.lastState
        created_at = job.createdAt
        has_reclaimable_token = job.reclaimableToken != nil
        has_pending_change = job.pendingChange != nil
        money_in_flight = has_reclaimable_token || has_pending_change
        note = job.note
        via = job.via
        cost_sat = job.costSat
        charged_sat = job.chargedSat
        cause = job.cause
        findings = job.findings ?? []
    }

    /// One line: the full job id unless on a terminal, where 16 hex characters are enough to tell jobs apart.
    func line(shortID: Bool) -> String {
        var parts = [
            shortID ? String(job_id.prefix(16)) : job_id, Self.shorten(worker), model ?? "model unknown",
            cost_sat.map { "\(paid_sat) sat paid, cost \($0)" } ?? "\(paid_sat) sat",
            "\(stage): \(last_state ?? "no final state yet")", Self.time(created_at),
        ]
        var flight: [String] = []
        if has_reclaimable_token { flight.append("payment we may reclaim") }
        if has_pending_change { flight.append("change not yet redeemed") }
        if !flight.isEmpty { parts.append("in flight: " + flight.joined(separator: ", ")) }
        if let via { parts.append("via \(via)") }
        if let cause { parts.append("cause \(cause)") }
        if !findings.isEmpty { parts.append("WORKER: " + findings.joined(separator: ", ")) }
        return parts.joined(separator: "  ")
    }

    static func shorten(_ npub: String) -> String {
        npub.count > 20 ? "\(npub.prefix(12))…\(npub.suffix(4))" : npub
    }

    static func time(_ seconds: Int64) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd HH:mm"
        return format.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
