import Foundation

/// Where a worker stands with this client, from its record.
public enum WorkerStanding: Sendable, Hashable {
    /// Fewer than `WorkerRecord.trialJobs` jobs completed and nothing held against it:
    /// it gets a bounded trial (one of our calls at a time).
    case new
    case good
    /// It did something in `Finding`'s misconduct list since the user last forgave it:
    /// no call goes to it until `loom workers --forgive`.
    case avoided(Finding)

    public var isAvoided: Bool {
        if case .avoided = self { return true }
        return false
    }
}

/// What this client knows of one worker, derived from the client journal
/// (every job it sent there). Pure: `WorkerRecord.build` from journal entries.
public struct WorkerRecord: Sendable, Hashable {
    public var worker: String
    public var jobs = 0
    public var completed = 0
    /// Ended `failed`, `cancelled`, `rejected`, or silent / timed out.
    public var failed = 0
    /// Jobs with money still in flight or no final state yet.
    public var unsettled = 0
    /// What left the wallet for this worker's jobs, and what came back.
    public var spentSat: UInt64 = 0
    public var returnedSat: UInt64 = 0
    public var chargedSat: UInt64 = 0
    public var billedMs: UInt64 = 0
    public var completionTokens: UInt64 = 0
    /// Median milliseconds from request to the first live text, over streamed jobs.
    public var medianFirstTextMs: UInt64?
    /// Failures by cause: the error code (`silent` when the worker never spoke).
    public var failures: [String: Int] = [:]
    /// Findings by code (`Finding`), since the user last forgave the worker.
    public var findings: [String: Int] = [:]
    /// When the user last forgave it (`loom workers --forgive`); earlier findings do not count.
    public var forgivenAt: Int64?
    public var lastJobAt: Int64?

    /// Completed jobs a worker needs before it is no longer new.
    public static let trialJobs = 3

    public init(worker: String) { self.worker = worker }

    /// The worst misconduct on record, if any; else new or good.
    public var standing: WorkerStanding {
        let misconduct = Finding.allCases.filter { $0.isMisconduct && (findings[$0.rawValue] ?? 0) > 0 }
        if let worst = misconduct.first { return .avoided(worst) }
        return completed >= Self.trialJobs ? .good : .new
    }

    /// What the jobs cost: spent less what came back.
    public var costSat: UInt64 { spentSat - min(spentSat, returnedSat) }

    /// Tokens delivered per second billed: how much a billed second was worth.
    public var tokensPerBilledSecond: Double? {
        billedMs > 0 ? Double(completionTokens) * 1000 / Double(billedMs) : nil
    }

    /// A short column for `loom workers`: `new 1/2`, `ok 14/15`, `AVOID change-fake`.
    public var score: String {
        switch standing {
        case .avoided(let finding): "AVOID \(finding.rawValue)"
        case .new: jobs == 0 ? "new" : "new \(completed)/\(jobs)"
        case .good: "ok \(completed)/\(jobs)"
        }
    }

    /// Every worker's record from `jobs`, keyed by worker; `forgiven` holds
    /// when the user last forgave each (jobs sent before it bring no findings).
    public static func build(_ jobs: [JournaledJob], forgiven: [String: Int64] = [:]) -> [String: WorkerRecord] {
        var records: [String: WorkerRecord] = [:]
        var firstTexts: [String: [UInt64]] = [:]
        for job in jobs {
            var r = records[job.worker] ?? WorkerRecord(worker: job.worker)
            r.forgivenAt = forgiven[job.worker]
            r.add(job)
            if let ms = job.firstTextMs { firstTexts[job.worker, default: []].append(ms) }
            records[job.worker] = r
        }
        for (worker, times) in firstTexts {
            let sorted = times.sorted()
            records[worker]?.medianFirstTextMs = sorted[sorted.count / 2]
        }
        return records
    }

    mutating func add(_ job: JournaledJob) {
        jobs += 1
        lastJobAt = max(lastJobAt ?? job.createdAt, job.createdAt)
        switch job.lastState {
        case "completed"?: completed += 1
        case "failed"?, "cancelled"?, "rejected"?, "timeout"?:
            failed += 1
            failures[job.cause ?? job.lastState ?? "unknown", default: 0] += 1
        default: break
        }
        if job.stage != .settled { unsettled += 1 }
        spentSat = spentSat.addingClamped(job.spentSat ?? 0)
        returnedSat = returnedSat.addingClamped(job.returnedSat ?? 0)
        chargedSat = chargedSat.addingClamped(job.chargedSat ?? 0)
        billedMs = billedMs.addingClamped(job.billedMs ?? 0)
        completionTokens = completionTokens.addingClamped(job.completionTokens ?? 0)
        guard forgivenAt.map({ job.createdAt > $0 }) ?? true else { return }
        for code in job.findings ?? [] { findings[code, default: 0] += 1 }
    }
}

extension UInt64 {
    /// A sum that stops at `UInt64.max`: a record is a statistic, never money.
    func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

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
    private var jobs: [String: [String: JournaledJob]] = [:]
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
        jobs[job.worker, default: [:]][job.jobID] = job
        let forgiven = forgiveness.load()
        records[job.worker] = WorkerRecord.build(Array(jobs[job.worker]!.values), forgiven: forgiven)[job.worker]
    }

    private func loadOnce() {
        guard !loaded else { return }
        loaded = true
        for job in journal.all() { jobs[job.worker, default: [:]][job.jobID] = job }
        records = WorkerRecord.build(jobs.values.flatMap(\.values), forgiven: forgiveness.load())
    }
}
