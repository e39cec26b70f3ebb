import Foundation
import LoomProtocol
import Testing

@testable import LoomWorker

/// The journal keeps jobs once, refuses forbidden state steps, and finds
/// what a restart still owes.
struct JobJournalTests {
    func journal() throws -> JobJournal {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try JobJournal(path: dir.appendingPathComponent("jobs.sqlite").path)
    }

    static let id = String(repeating: "ab", count: 32)
    static let client = String(repeating: "cd", count: 32)

    @Test func aJobIsInsertedOnce() throws {
        let j = try journal()
        let record = JobRecord(id: Self.id, client: Self.client, state: .received, receivedAt: 1)
        #expect(try j.insert(record))
        #expect(try !j.insert(record), "a second copy of the request is not a second job")
    }

    @Test func everyStepFollowsTheStateMachine() throws {
        let j = try journal()
        try j.insert(JobRecord(id: Self.id, client: Self.client, state: .received, receivedAt: 1))
        #expect(throws: JobStateError.self) { try j.move(Self.id, to: .running) }
        try j.move(Self.id, to: .paymentVerified)
        try j.move(Self.id, to: .queued)
        try j.move(Self.id, to: .running)
        #expect(throws: JobStateError.self) { try j.move(Self.id, to: .rejected) }
        try j.move(Self.id, to: .uploading)
        #expect(throws: JobStateError.self) { try j.move(Self.id, to: .cancelled) }
        try j.move(Self.id, to: .completed)
        #expect(throws: JobStateError.self) { try j.move(Self.id, to: .failed) }
        #expect(try j.job(Self.id)?.state == .completed)
    }

    @Test func unfinishedHoldsOpenJobsAndUnpublishedResults() throws {
        let j = try journal()
        let ids = (0..<4).map { String(repeating: String($0), count: 64) }
        try j.insert(JobRecord(id: ids[0], client: Self.client, state: .received, receivedAt: 1))
        try j.insert(JobRecord(id: ids[1], client: Self.client, state: .rejected, receivedAt: 2))
        var done = JobRecord(id: ids[2], client: Self.client, state: .completed, receivedAt: 3)
        done.resultEvent = "{}"
        try j.insert(done)
        done.id = ids[3]
        done.published = true
        done.chargedSat = 7
        try j.insert(done)
        #expect(try j.unfinished().map(\.id) == [ids[0], ids[2]])
        #expect(try j.earnings().sat == 7)
    }
}
