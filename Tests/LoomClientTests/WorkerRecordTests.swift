import Foundation
import LoomTestFixtures
import Testing

@testable import LoomClient

/// A worker's record from the client journal: who is new, who proved itself,
/// who is avoided for what, and what forgiveness clears.
struct WorkerRecordTests {
    static func job(
        _ createdAt: Int64, _ lastState: String?, stage: JournaledJob.Stage = .settled, spent: UInt64 = 10,
        returned: UInt64 = 4, findings: [String]? = nil, cause: String? = nil, firstTextMs: UInt64? = nil
    ) throws -> JournaledJob {
        var job = try journaledJob(
            at: createdAt, model: "m", stage: stage, client: JobListTests.client, worker: JobListTests.worker,
            lastState: lastState)
        job.spentSat = spent
        job.returnedSat = returned
        job.findings = findings
        job.cause = cause
        job.firstTextMs = firstTextMs
        job.chargedSat = spent - returned
        job.billedMs = 2000
        job.completionTokens = 20
        return job
    }

    var worker: String { JobListTests.worker.hex }

    @Test func aWorkerIsNewUntilItsTrialJobsComplete() throws {
        let two = [try Self.job(1, "completed"), try Self.job(2, "completed")]
        let record = try #require(WorkerRecord.build(two)[worker])
        #expect(record.standing == .new)
        #expect(record.score == "new 2/2")
        let three = two + [try Self.job(3, "completed")]
        let proven = try #require(WorkerRecord.build(three)[worker])
        #expect(proven.standing == .good)
        #expect(proven.score == "ok 3/3")
        #expect(proven.spentSat == 30 && proven.returnedSat == 12 && proven.costSat == 18)
        #expect(proven.tokensPerBilledSecond == 10)
    }

    @Test func failuresCountByCauseButOnlyMisconductAvoids() throws {
        let jobs = [
            try Self.job(1, "completed"), try Self.job(2, "failed", cause: "backend-error"),
            try Self.job(3, "timeout", findings: ["output-unavailable", "chunks-disagree"], cause: "silent"),
        ]
        let record = try #require(WorkerRecord.build(jobs)[worker])
        #expect(record.failures == ["backend-error": 1, "silent": 1])
        #expect(record.failed == 2 && record.completed == 1)
        #expect(!record.standing.isAvoided, "a slow or flaky worker is not a cheat")
    }

    @Test func oneMisconductAvoidsAProvenWorker() throws {
        var jobs = try (1...5).map { try Self.job(Int64($0), "completed") }
        jobs.append(try Self.job(6, "completed", findings: ["change-fake"]))
        let record = try #require(WorkerRecord.build(jobs)[worker])
        #expect(record.standing == .avoided(.fakeChange))
        #expect(record.score == "AVOID change-fake")
        // Every misconduct code avoids; the two counted-only codes do not.
        for finding in Finding.allCases {
            let one = try #require(WorkerRecord.build([try Self.job(1, "completed", findings: [finding.rawValue])])[worker])
            #expect(one.standing.isAvoided == finding.isMisconduct, "\(finding)")
        }
    }

    @Test func forgivenessClearsEarlierFindingsOnly() throws {
        let dir = temporaryDirectory("forgive")
        let forgiveness = WorkerForgiveness(dataDirectory: dir)
        #expect(forgiveness.load().isEmpty)
        try forgiveness.forgive([worker], at: 10)
        let before = [try Self.job(5, "failed", findings: ["kept-payment"])]
        #expect(WorkerRecord.build(before, forgiven: forgiveness.load())[worker]?.standing == .new)
        let after = before + [try Self.job(11, "completed", findings: ["bill-over-price"])]
        #expect(WorkerRecord.build(after, forgiven: forgiveness.load())[worker]?.standing == .avoided(.billOverPrice))
    }

    @Test func theRecordsActorFollowsTheJournal() async throws {
        let journal = try ClientJournal(dataDirectory: temporaryDirectory("records"))
        try journal.save(try Self.job(1, "completed"))
        let records = WorkerRecords(journal: journal)
        #expect(await records.standings()[worker] == .new)
        let cheat = try Self.job(2, "rejected", findings: ["kept-payment"])
        try journal.save(cheat)
        await records.refresh(jobID: cheat.jobID)
        #expect(await records.standings()[worker] == .avoided(.keptPayment))
        #expect(await records.record(of: worker).jobs == 2)
    }

    /// A gateway refreshes one job per call for as long as it runs: what it
    /// holds must not grow with the calls, and the record must stay the one
    /// the whole journal gives.
    @Test func theRecordsActorKeepsTotalsNotEveryJob() async throws {
        let journal = try ClientJournal(dataDirectory: temporaryDirectory("records-fold"))
        let records = WorkerRecords(journal: journal)
        _ = await records.standings()
        var jobs: [JournaledJob] = []
        for i in 0..<200 {
            // Saved in flight, refreshed, then settled and refreshed again (twice).
            var job = try Self.job(Int64(i + 1), nil, stage: .submitted, firstTextMs: UInt64(100 + i % 7))
            try journal.save(job)
            await records.refresh(jobID: job.jobID)
            job.stage = .settled
            job.lastState = i % 10 == 0 ? "failed" : "completed"
            job.cause = i % 10 == 0 ? "backend-error" : nil
            try journal.save(job)
            await records.refresh(jobID: job.jobID)
            await records.refresh(jobID: job.jobID)
            jobs.append(job)
        }
        #expect(await records.keptJobs == 0)
        // One with a finding is kept, so a later forgiveness can discount it.
        let cheat = try Self.job(300, "rejected", findings: ["kept-payment"])
        try journal.save(cheat)
        await records.refresh(jobID: cheat.jobID)
        jobs.append(cheat)
        #expect(await records.keptJobs == 1)
        #expect(await records.record(of: worker) == WorkerRecord.build(jobs)[worker])
        #expect(await records.record(of: worker).jobs == 201)
        // A fresh actor reading the same journal agrees.
        #expect(await WorkerRecords(journal: journal).record(of: worker) == WorkerRecord.build(jobs)[worker])
    }

    @Test func recordSumsNeverOverflow() throws {
        let huge = [
            try Self.job(1, "completed", spent: .max, returned: 0), try Self.job(2, "completed", spent: .max, returned: 0),
        ]
        #expect(WorkerRecord.build(huge)[worker]?.spentSat == .max)
    }
}
