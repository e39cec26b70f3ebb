import Foundation
import NostrRelay

/// The user's forgiveness (`loom workers --forgive`): when each worker was
/// last forgiven, in `<data dir>/workers.json`. A forgiven worker's earlier
/// findings stay in the journal; only those of later jobs count.
public struct WorkerForgiveness: Sendable {
    public let file: URL

    public init(dataDirectory: URL) {
        file = dataDirectory.appendingPathComponent("workers.json")
    }

    /// Beside the journal, in the same data directory.
    public init(journal: ClientJournal) {
        self.init(dataDirectory: journal.directory.deletingLastPathComponent())
    }

    struct Content: Codable {
        var forgiven: [String: Int64] = [:]
    }

    public func load() -> [String: Int64] {
        guard let data = try? Data(contentsOf: file), let content = try? JSONDecoder().decode(Content.self, from: data)
        else { return [:] }
        return content.forgiven
    }

    /// Forgives `workers` (hex keys) as of `at`.
    public func forgive(_ workers: [String], at: Int64) throws {
        var content = Content(forgiven: load())
        for worker in workers { content.forgiven[worker] = at }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(content).write(to: file, options: .atomic)
    }
}

/// The records a long-running caller (`loom gateway`, `loom job batch`)
/// consults for every call: read from the journal once, then kept up to
/// date job by job, so no call reads the whole journal.
///
/// Memory and the work per call grow with the workers, not with the calls:
/// a settled job without findings can no longer change, and forgiveness
/// does not touch it, so it is added into its worker's running totals and
/// forgotten. Only jobs still in flight and jobs with findings (which a
/// later `--forgive` may discount) are kept one by one.
public actor WorkerRecords {
    let journal: ClientJournal
    let forgiveness: WorkerForgiveness
    /// Per worker, its folded jobs added up (their findings are empty).
    private var folded: [String: WorkerRecord] = [:]
    /// Per worker, the first-text times of its folded jobs, newest last, at most `WorkerRecord.firstTextSamples`.
    private var foldedFirstTexts: [String: [UInt64]] = [:]
    /// Per worker, by job id: jobs that may still change or carry findings.
    private var kept: [String: [String: JobTally]] = [:]
    /// Ids of recently folded jobs, so a job refreshed twice counts once.
    private var recentlyFolded = RecentIDs(capacity: 4096)
    private var records: [String: WorkerRecord] = [:]
    private var loaded = false

    public init(journal: ClientJournal) {
        self.journal = journal
        forgiveness = WorkerForgiveness(journal: journal)
    }

    /// Each worker's standing, for choosing among offers.
    public func standings() -> [String: WorkerStanding] {
        loadOnce()
        return records.mapValues(\.standing)
    }

    public func record(of worker: String) -> WorkerRecord {
        loadOnce()
        return records[worker] ?? WorkerRecord(worker: worker)
    }

    /// Jobs held one by one (in flight or with findings), for tests.
    var keptJobs: Int { kept.values.map(\.count).reduce(0, +) }

    /// Reads one job again (after it settled) and recomputes its worker's record.
    public func refresh(jobID: String) {
        loadOnce()
        guard let job = journal.load(jobID), !recentlyFolded.contains(job.jobID) else { return }
        place(JobTally(job), id: job.jobID)
        records[job.worker] = combined(job.worker, forgiven: forgiveness.load())
    }

    private func loadOnce() {
        guard !loaded else { return }
        loaded = true
        for job in journal.all().sorted(by: { $0.createdAt < $1.createdAt }) { place(JobTally(job), id: job.jobID) }
        let forgiven = forgiveness.load()
        for worker in Set(folded.keys).union(kept.keys) { records[worker] = combined(worker, forgiven: forgiven) }
    }

    private func place(_ tally: JobTally, id: String) {
        let worker = tally.worker
        kept[worker]?[id] = nil
        guard tally.settled, tally.findings.isEmpty else {
            kept[worker, default: [:]][id] = tally
            return
        }
        folded[worker, default: WorkerRecord(worker: worker)].add(tally)
        if let ms = tally.firstTextMs {
            foldedFirstTexts[worker, default: []].append(ms)
            let excess = foldedFirstTexts[worker]!.count - WorkerRecord.firstTextSamples
            if excess > 0 { foldedFirstTexts[worker]!.removeFirst(excess) }
        }
        recentlyFolded.insert(id)
    }

    private func combined(_ worker: String, forgiven: [String: Int64]) -> WorkerRecord {
        var record = folded[worker] ?? WorkerRecord(worker: worker)
        record.forgivenAt = forgiven[worker]
        let held = (kept[worker] ?? [:]).values.sorted { $0.createdAt < $1.createdAt }
        for tally in held { record.add(tally) }
        let times = (foldedFirstTexts[worker] ?? []) + held.compactMap(\.firstTextMs)
        record.medianFirstTextMs = WorkerRecord.median(times.suffix(WorkerRecord.firstTextSamples))
        return record
    }
}
