import ArgumentParser
import Foundation
import LoomClient
import Secp256k1

/// `loom job list`: the jobs in the client journal, newest first.
struct JobList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the jobs in the client journal, newest first.",
        discussion: """
            Reads <data dir>/jobs only; nothing goes to the relays. A job is settled once it reached a final state \
            and none of its money is in flight (a payment token we may still reclaim, or change not yet redeemed). \
            `loom job watch <job id>` follows a job that is not settled and settles its money. \
            Tokens are never printed, only whether there is one.
            """)

    @Option(help: "Data directory holding the job journal (jobs/). Default: $DATA_DIR, else ~/.loom.")
    var dataDir: String?
    @Flag(help: "Only jobs that are not settled.") var unsettled = false
    @Option(help: "Show at most this many jobs (the newest).") var limit: Int?
    @Flag(help: "Print one JSON array.") var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let data = ClientOptions.dataDirectory(dataDir)
            let folder = data.appendingPathComponent("jobs").path
            // Listing must not create the journal (opening it would), so look first.
            let everything = FileManager.default.fileExists(atPath: folder) ? try ClientJournal(dataDirectory: data).all() : []
            var jobs = Array(everything.reversed())
            if unsettled { jobs = jobs.filter { $0.stage != .settled } }
            if let limit { jobs = Array(jobs.prefix(limit)) }
            let rows = jobs.map(JobListRow.init)
            if json { return print(try JSONOutput.string(rows)) }
            guard !rows.isEmpty else {
                return Console.warn(everything.isEmpty ? "no jobs in \(folder)"
                    : "no unsettled jobs in \(folder) (\(everything.count) settled; drop --unsettled to see them)")
            }
            let short = Terminal.stdoutIsTTY
            for row in rows { print(row.line(shortID: short)) }
            if let newest = rows.first(where: { $0.stage != JournaledJob.Stage.settled.rawValue }) {
                let count = rows.filter { $0.stage != JournaledJob.Stage.settled.rawValue }.count
                print("\(count) not settled; follow one with `loom job watch <job id>`, e.g.\n  loom job watch \(newest.job_id)")
            }
        }
    }
}

/// One journaled job as `loom job list` shows it. Tokens are secrets: only
/// whether there is one is shown, never the token.
struct JobListRow: Encodable {
    let job_id: String
    let worker: String
    let model: String?
    let paid_sat: UInt64
    let mint: String?
    let payment_source: String?
    let stage: String
    let last_state: String?
    let created_at: Int64
    let has_reclaimable_token: Bool
    let has_pending_change: Bool
    let money_in_flight: Bool
    let note: String?

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
    }

    enum CodingKeys: String, CodingKey {
        case job_id, worker, model, paid_sat, mint, payment_source, stage, last_state, created_at
        case has_reclaimable_token, has_pending_change, money_in_flight, note
    }

    /// Absent values are written as null, so every key is always there for `jq`.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job_id, forKey: .job_id)
        try c.encode(worker, forKey: .worker)
        try c.encode(model, forKey: .model)
        try c.encode(paid_sat, forKey: .paid_sat)
        try c.encode(mint, forKey: .mint)
        try c.encode(payment_source, forKey: .payment_source)
        try c.encode(stage, forKey: .stage)
        try c.encode(last_state, forKey: .last_state)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(has_reclaimable_token, forKey: .has_reclaimable_token)
        try c.encode(has_pending_change, forKey: .has_pending_change)
        try c.encode(money_in_flight, forKey: .money_in_flight)
        try c.encode(note, forKey: .note)
    }

    /// One line: the full job id unless on a terminal, where 16 hex characters are enough to tell jobs apart.
    func line(shortID: Bool) -> String {
        var parts = [shortID ? String(job_id.prefix(16)) : job_id, Self.shorten(worker), model ?? "model unknown",
                     "\(paid_sat) sat", "\(stage): \(last_state ?? "no final state yet")", Self.time(created_at)]
        var flight: [String] = []
        if has_reclaimable_token { flight.append("payment we may reclaim") }
        if has_pending_change { flight.append("change not yet redeemed") }
        if !flight.isEmpty { parts.append("in flight: " + flight.joined(separator: ", ")) }
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
