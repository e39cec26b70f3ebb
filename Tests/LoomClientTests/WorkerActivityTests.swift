import Foundation
import LoomClient
import LoomProtocol
import Nostr
import Secp256k1
import Testing

@Suite struct WorkerActivityTests {
    let worker = SecretKey.generate()
    let client = SecretKey.generate().xOnlyPublicKey.hex
    let job = String(repeating: "a", count: 64)
    let other = String(repeating: "b", count: 64)

    func published(_ status: JobStatus, job: String? = nil, at: Int64) throws -> PublishedStatus {
        try JobStatus.parse(status.sign(with: worker, requestID: job ?? self.job, client: client, createdAt: at))
    }

    @Test func stateChangesAreReportedOnceInOrder() throws {
        var activity = WorkerActivity()
        let queued = try published(JobStatus(status: .queued, queuePosition: 1), at: 100)
        let running = try published(JobStatus(status: .running, elapsedMs: 1000, tokens: 5, tokensPerSecond: 5), at: 101)
        #expect(activity.observe(queued)?.previous == nil)
        let observed = activity.observe(running)
        let change = try #require(observed)
        #expect(change.previous == .queued)
        #expect(change.status.status == .running)
        #expect(activity.observe(running) == nil, "the same event from a second relay is not news")
        #expect(activity.observe(queued) == nil, "an older status arriving late is ignored")
        #expect(activity.counts == [.running: 1])
        #expect(activity.runningTokensPerSecond == 5)
    }

    @Test func progressWithinAStateUpdatesWithoutAChange() throws {
        var activity = WorkerActivity()
        _ = activity.observe(try published(JobStatus(status: .running, tokens: 1, tokensPerSecond: 2), at: 100))
        #expect(activity.observe(try published(JobStatus(status: .running, tokens: 9, tokensPerSecond: 8), at: 101)) == nil)
        #expect(activity.runningTokensPerSecond == 8)
    }

    @Test func earningsCountFinishedJobsAndTheLastHour() throws {
        var activity = WorkerActivity()
        _ = activity.observe(try published(JobStatus(status: .completed, elapsedMs: 3000, costMsat: 3_000_000), at: 1_000))
        _ = activity.observe(
            try published(JobStatus(status: .cancelled, elapsedMs: 1000, costMsat: 1_500), job: other, at: 5_000))
        #expect(activity.earnedSat == 3_001)
        #expect(activity.earnedLastHour(now: 5_100) == 1, "only the job that ended within the hour")
        // Nothing after a terminal state counts, even a newer event.
        #expect(activity.observe(try published(JobStatus(status: .running), job: other, at: 6_000)) == nil)
        #expect(activity.earnedSat == 3_001)
    }
}
