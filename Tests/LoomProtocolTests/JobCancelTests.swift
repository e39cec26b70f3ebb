import Nostr
import Testing

@testable import LoomProtocol

@Suite struct JobCancelTests {
    @Test func roundTripAndAuthority() throws {
        let requestEvent = try Fixture.sealed()
        let opened = try JobRequest.open(requestEvent, workerKey: Fixture.worker, now: Fixture.now)
        let workerHex = Fixture.worker.xOnlyPublicKey.hex

        let event = try JobCancel.sign(
            requestID: requestEvent.id, worker: workerHex, reason: "changed my mind",
            with: Fixture.client, createdAt: Fixture.now + 3)
        #expect(event.kind == 5102)
        #expect(event.tags == [["e", requestEvent.id], ["p", workerHex]])
        let cancel = try JobCancel.parse(event)
        #expect(cancel.requestID == requestEvent.id && cancel.worker == workerHex && cancel.reason == "changed my mind")
        #expect(cancel.cancels(opened, worker: workerHex))

        // Anyone else's cancel is well-formed but has no effect.
        let meddler = try JobCancel.parse(
            try JobCancel.sign(requestID: requestEvent.id, worker: workerHex, with: Fixture.stranger))
        #expect(!meddler.cancels(opened, worker: workerHex))
        // Nor does a cancel sent to another worker, or for another job.
        let elsewhere = try JobCancel.parse(
            try JobCancel.sign(requestID: requestEvent.id, worker: Fixture.stranger.xOnlyPublicKey.hex, with: Fixture.client))
        #expect(!elsewhere.cancels(opened, worker: workerHex))
        let otherJob = try JobCancel.parse(
            try JobCancel.sign(requestID: String(repeating: "a", count: 64), worker: workerHex, with: Fixture.client))
        #expect(!otherJob.cancels(opened, worker: workerHex))
    }

    @Test func malformedCancelsAreRefused() throws {
        let id = String(repeating: "c", count: 64)
        let workerHex = Fixture.worker.xOnlyPublicKey.hex
        #expect(throws: ContentError.self) { try JobCancel.sign(requestID: "nope", worker: workerHex, with: Fixture.client) }
        let noE = try Event.sign(kind: 5102, content: "", tags: [["p", workerHex]], with: Fixture.client)
        #expect(throws: LoomEventError.missingTag("e")) { try JobCancel.parse(noE) }
        let good = try JobCancel.sign(requestID: id, worker: workerHex, with: Fixture.client)
        #expect(throws: LoomEventError.self) {
            try JobCancel.parse(good.tampered(tags: [["e", String(repeating: "d", count: 64)], ["p", workerHex]]))
        }
        let wrongKind = try Event.sign(kind: 5101, content: "", tags: good.tags, with: Fixture.client)
        #expect(throws: LoomEventError.wrongKind(expected: .jobCancel, got: 5101)) { try JobCancel.parse(wrongKind) }
    }
}
