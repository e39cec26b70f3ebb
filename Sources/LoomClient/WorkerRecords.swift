import Foundation

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
public actor WorkerRecords {
    let journal: ClientJournal
    let forgiveness: WorkerForgiveness
    private var jobs: [String: [String: JobTally]] = [:]
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

    /// Reads one job again (after it settled) and recomputes its worker's record.
    public func refresh(jobID: String) {
        loadOnce()
        guard let job = journal.load(jobID) else { return }
        jobs[job.worker, default: [:]][job.jobID] = JobTally(job)
        let forgiven = forgiveness.load()
        records[job.worker] = WorkerRecord.build(Array(jobs[job.worker]!.values), forgiven: forgiven)[job.worker]
    }

    private func loadOnce() {
        guard !loaded else { return }
        loaded = true
        for job in journal.all() { jobs[job.worker, default: [:]][job.jobID] = JobTally(job) }
        records = WorkerRecord.build(jobs.values.flatMap(\.values), forgiven: forgiveness.load())
    }
}
