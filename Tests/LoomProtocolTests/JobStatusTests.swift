import Nostr
import Testing

@testable import LoomProtocol

@Suite struct JobStatusTests {
    let requestID = String(repeating: "0f", count: 32)
    var client: String { Fixture.client.xOnlyPublicKey.hex }

    @Test func roundTrip() throws {
        let status = JobStatus(
            status: .running, elapsedMs: 4_200, costMsat: 10_500, tokens: 87,
            budgetSeconds: 39, tokensPerSecond: 20.7)
        let event = try status.sign(with: Fixture.worker, requestID: requestID, client: client, createdAt: Fixture.now)
        #expect(event.kind == 30100)
        #expect(event.identifier == requestID)
        #expect(event.tagValues("e") == [requestID])
        #expect(event.tagValues("p") == [client])
        #expect(event.firstTag("status") == ["status", "running"])
        #expect(try event.expiration == Fixture.now + JobStatus.defaultRetention)

        let read = try JobStatus.parse(event)
        #expect(read.status == status)
        #expect(read.requestID == requestID && read.client == client)
        #expect(read.worker == Fixture.worker.xOnlyPublicKey.hex)
    }

    @Test func queuedAndFailedCarryTheirExtras() throws {
        let queued = JobStatus(status: .queued, budgetSeconds: 30, queuePosition: 2)
        #expect(try JobStatus.parse(try queued.sign(with: Fixture.worker, requestID: requestID, client: client)).status == queued)
        let failed = JobStatus(status: .failed, elapsedMs: 900, costMsat: 2_250, reason: JobFailure.backendUnavailable.reason)
        let event = try failed.sign(with: Fixture.worker, requestID: requestID, client: client)
        #expect(event.firstTag("status") == ["status", "failed", "backend-unavailable"])
        #expect(try JobStatus.parse(event).status == failed)
    }

    @Test func statusesHoldNoSecrets() throws {
        let status = JobStatus(status: .completed, elapsedMs: 1, costMsat: 3, tokens: 1)
        let content = try status.template(requestID: requestID, client: client, expiresAt: 1).content
        #expect(content == #"{"cost_msat":3,"elapsed_ms":1,"status":"completed","tokens":1,"v":1}"#)
    }

    @Test func invalidStatusesAreNotBuilt() {
        let bad: [JobStatus] = [
            JobStatus(status: .failed),  // no reason
            JobStatus(status: .rejected),
            JobStatus(status: .running, queuePosition: 1),  // position only while queued
            JobStatus(status: .queued, queuePosition: 0),
            JobStatus(status: .running, tokensPerSecond: .nan),
        ]
        for s in bad {
            #expect(throws: ContentError.self) { try s.template(requestID: requestID, client: client, expiresAt: 1) }
        }
        #expect(throws: ContentError.self) {
            try JobStatus(status: .running).template(requestID: "abc", client: client, expiresAt: 1)
        }
    }

    @Test func parserChecksTagsAgainstContent() throws {
        let template = try JobStatus(status: .running).template(requestID: requestID, client: client, expiresAt: Fixture.now + 60)
        func signed(_ tags: [[String]]) throws -> Event {
            try Event.sign(kind: 30100, content: template.content, tags: tags, createdAt: Fixture.now, with: Fixture.worker)
        }
        let lying = try signed(template.tags.map { $0.first == "status" ? ["status", "completed"] : $0 })
        #expect(throws: LoomEventError.badTag("status", reason: "does not match the content's status")) {
            try JobStatus.parse(lying)
        }
        let otherJob = try signed(template.tags.map { $0.first == "e" ? ["e", String(repeating: "1", count: 64)] : $0 })
        #expect(throws: LoomEventError.self) { try JobStatus.parse(otherJob) }
        let noClient = try signed(template.tags.filter { $0.first != "p" })
        #expect(throws: LoomEventError.missingTag("p")) { try JobStatus.parse(noClient) }
        let event = try signed(template.tags)
        #expect(throws: LoomEventError.self) {
            try JobStatus.parse(event.tampered(content: #"{"v":1,"status":"completed","elapsed_ms":0,"cost_msat":0,"tokens":0}"#))
        }
    }

    @Test func timestampsOfOneJobStrictlyIncrease() {
        #expect(JobStatus.nextCreatedAt(previous: nil, now: 100) == 100)
        #expect(JobStatus.nextCreatedAt(previous: 100, now: 100) == 101)
        #expect(JobStatus.nextCreatedAt(previous: 101, now: 100) == 102)
        #expect(JobStatus.nextCreatedAt(previous: 90, now: 100) == 100)
    }
}
