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
    /// Median milliseconds from request to the first live text, over the
    /// newest `firstTextSamples` streamed jobs.
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
    /// How many of the newest first-text times the median is taken over:
    /// recent speed is what a choice needs, and memory stays bounded.
    public static let firstTextSamples = 1000

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
        build(jobs.map(JobTally.init), forgiven: forgiven)
    }

    static func build(_ tallies: [JobTally], forgiven: [String: Int64]) -> [String: WorkerRecord] {
        var records: [String: WorkerRecord] = [:]
        var firstTexts: [String: [UInt64]] = [:]
        for job in tallies.sorted(by: { $0.createdAt < $1.createdAt }) {
            var r = records[job.worker] ?? WorkerRecord(worker: job.worker)
            r.forgivenAt = forgiven[job.worker]
            r.add(job)
            if let ms = job.firstTextMs { firstTexts[job.worker, default: []].append(ms) }
            records[job.worker] = r
        }
        for (worker, times) in firstTexts {
            records[worker]?.medianFirstTextMs = median(times.suffix(firstTextSamples))
        }
        return records
    }

    static func median(_ times: some Collection<UInt64>) -> UInt64? {
        guard !times.isEmpty else { return nil }
        let sorted = times.sorted()
        return sorted[sorted.count / 2]
    }

    mutating func add(_ job: JobTally) {
        jobs += 1
        lastJobAt = max(lastJobAt ?? job.createdAt, job.createdAt)
        switch job.lastState {
        case "completed"?: completed += 1
        case "failed"?, "cancelled"?, "rejected"?, "timeout"?:
            failed += 1
            failures[job.cause ?? job.lastState ?? "unknown", default: 0] += 1
        default: break
        }
        if !job.settled { unsettled += 1 }
        spentSat = spentSat.addingClamped(job.spentSat)
        returnedSat = returnedSat.addingClamped(job.returnedSat)
        chargedSat = chargedSat.addingClamped(job.chargedSat)
        billedMs = billedMs.addingClamped(job.billedMs)
        completionTokens = completionTokens.addingClamped(job.completionTokens)
        guard forgivenAt.map({ job.createdAt > $0 }) ?? true else { return }
        for code in job.findings { findings[code, default: 0] += 1 }
    }
}

/// What a record needs of one journaled job, and nothing more: a
/// long-running gateway keeps one per job it ever sent, so the request
/// event, the token and the output stay in the journal file, not in memory.
struct JobTally: Sendable, Hashable {
    var worker: String
    var createdAt: Int64
    var lastState: String?
    var cause: String?
    var settled: Bool
    var spentSat, returnedSat, chargedSat, billedMs, completionTokens: UInt64
    var firstTextMs: UInt64?
    var findings: [String]

    init(_ job: JournaledJob) {
        worker = job.worker
        createdAt = job.createdAt
        lastState = job.lastState
        cause = job.cause
        settled = job.stage == .settled
        spentSat = job.spentSat ?? 0
        returnedSat = job.returnedSat ?? 0
        chargedSat = job.chargedSat ?? 0
        billedMs = job.billedMs ?? 0
        completionTokens = job.completionTokens ?? 0
        firstTextMs = job.firstTextMs
        findings = job.findings ?? []
    }
}

extension UInt64 {
    /// A sum that stops at `UInt64.max`: a record is a statistic, never money.
    func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
