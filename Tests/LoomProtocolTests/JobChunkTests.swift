import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

/// The kind-20100 chunk: built and opened, and every way one is refused.
@Suite struct JobChunkTests {
    let requestID = String(repeating: "ab", count: 32)
    var client: XOnlyPublicKey { Fixture.client.xOnlyPublicKey }
    var workerHex: String { Fixture.worker.xOnlyPublicKey.hex }
    let chunk = JobChunk(seq: 3, text: "The sky is blue\nbecause \"Rayleigh\"", tokens: 12, elapsedMs: 640)

    func sealed(_ c: JobChunk? = nil) throws -> Event {
        try (c ?? chunk).seal(requestID: requestID, to: client, from: Fixture.worker, createdAt: Fixture.now)
    }

    func open(_ event: Event, key: SecretKey = Fixture.client) throws(LoomEventError) -> ReceivedChunk {
        try JobChunk.open(event, clientKey: key, worker: workerHex, requestID: requestID)
    }

    @Test func sealedChunkOpensForTheClient() throws {
        let event = try sealed()
        #expect(event.kind == 20100 && LoomKind(rawValue: event.kind) == .jobChunk)
        #expect(event.tags == [["e", requestID], ["p", client.hex]])
        #expect(!event.content.contains("Rayleigh"))
        let received = try open(event)
        #expect(received.chunk == chunk)
        #expect(received.requestID == requestID && received.worker == workerHex && received.eventID == event.id)
        // A conversation key computed once opens and seals the same.
        let key = NIP44.conversationKey(Fixture.worker, client)
        let fast = try chunk.seal(requestID: requestID, to: client, from: Fixture.worker, conversationKey: key)
        #expect(try JobChunk.open(fast, clientKey: Fixture.client, conversationKey: key).chunk == chunk)
    }

    @Test func contentUsesTheWireNames() throws {
        let event = try sealed(JobChunk(seq: 0, text: "hi", tokens: 1, elapsedMs: 5))
        let plaintext = try NIP44.decrypt(event.content, to: Fixture.client, from: Fixture.worker.xOnlyPublicKey)
        #expect(plaintext == #"{"elapsed_ms":5,"seq":0,"text":"hi","tokens":1,"v":1}"#)
    }

    @Test func descriptionHidesTheText() {
        #expect(!chunk.description.contains("sky"))
        #expect(chunk.description.contains("seq: 3"))
    }

    @Test func invalidChunksAreNotBuilt() {
        let bad: [(JobChunk, String)] = [
            (JobChunk(seq: 0, text: "", tokens: 1, elapsedMs: 0), "text"),
            (JobChunk(seq: 0, text: String(repeating: "x", count: JobChunk.maxTextBytes + 1), tokens: 1, elapsedMs: 0), "text"),
            (JobChunk(seq: 0, text: "a", tokens: 0, elapsedMs: 0), "tokens"),
        ]
        for (c, field) in bad {
            #expect {
                try c.seal(requestID: requestID, to: client, from: Fixture.worker)
            } throws: { error in
                guard case ContentError.invalid(let f, _) = error else { return false }
                return f == field
            }
        }
        #expect(throws: ContentError.self) {
            try chunk.seal(requestID: "not-an-id", to: client, from: Fixture.worker)
        }
    }

    @Test func chunksFromTheWrongPartyAreRefused() throws {
        let event = try sealed()
        #expect(
            throws: LoomEventError.wrongParty(
                "chunk is signed by \(workerHex), not the worker \(Fixture.stranger.xOnlyPublicKey.hex)")
        ) {
            try JobChunk.open(event, clientKey: Fixture.client, worker: Fixture.stranger.xOnlyPublicKey.hex)
        }
        let other = String(repeating: "cd", count: 32)
        #expect(throws: LoomEventError.wrongParty("chunk is for request \(requestID), not \(other)")) {
            try JobChunk.open(event, clientKey: Fixture.client, requestID: other)
        }
        #expect(throws: LoomEventError.wrongParty("chunk is addressed to another key")) {
            try open(event, key: Fixture.stranger)
        }
        // A stranger signing a chunk for our job, addressed to us: not the worker.
        let forged = try chunk.seal(requestID: requestID, to: client, from: Fixture.stranger)
        #expect(throws: LoomEventError.self) { try open(forged) }
    }

    @Test func malformedEventsAreRefused() throws {
        let event = try sealed()
        #expect(throws: LoomEventError.wrongKind(expected: .jobChunk, got: 5101)) {
            try open(try Event.sign(kind: 5101, content: event.content, tags: event.tags, with: Fixture.worker))
        }
        #expect(throws: LoomEventError.missingTag("e")) { try open(event.tampered(tags: [["p", client.hex]])) }
        #expect(throws: LoomEventError.missingTag("p")) { try open(event.tampered(tags: [["e", requestID]])) }
        #expect(throws: LoomEventError.badTag("e", reason: "appears 2 times")) {
            try JobChunk.open(
                event.tampered(tags: [["e", requestID], ["e", requestID], ["p", client.hex]]), clientKey: Fixture.client)
        }
        #expect(throws: LoomEventError.badTag("e", reason: "is not 64 lower-case hex characters")) {
            try JobChunk.open(
                event.tampered(tags: [["e", requestID.uppercased()], ["p", client.hex]]), clientKey: Fixture.client)
        }
        // Content changed after signing: the id no longer matches.
        #expect {
            try open(event.tampered(content: event.content + "A"))
        } throws: { error in
            if case LoomEventError.invalidEvent = error { return true }
            return false
        }
    }

    @Test func unreadableContentIsRefused() throws {
        func signed(_ content: String) throws -> Event {
            try Event.sign(kind: 20100, content: content, tags: [["e", requestID], ["p", client.hex]], with: Fixture.worker)
        }
        func encrypted(_ json: String) throws -> Event {
            try signed(try NIP44.encrypt(json, from: Fixture.worker, to: client))
        }
        #expect {
            try open(try signed("plain text, never encrypted"))
        } throws: { error in
            if case LoomEventError.undecryptable = error { return true }
            return false
        }
        let cases: [(String, ContentError)] = [
            ("[1,2]", .notJSONObject),
            (#"{"seq":0,"text":"a","tokens":1,"elapsed_ms":0}"#, .missingVersion),
            (#"{"v":2,"seq":0,"text":"a","tokens":1,"elapsed_ms":0}"#, .unsupportedVersion(2)),
            (#"{"v":1,"text":"a","tokens":1,"elapsed_ms":0}"#, .schema("missing field seq")),
            (
                #"{"v":1,"seq":-1,"text":"a","tokens":1,"elapsed_ms":0}"#,
                .schema("field seq: Number -1 is not representable in Swift.")
            ),
            (#"{"v":1,"seq":0,"text":7,"tokens":1,"elapsed_ms":0}"#, .schema("field text is not a string")),
            (#"{"v":1,"seq":0,"text":"","tokens":1,"elapsed_ms":0}"#, .invalid(field: "text", reason: "is empty")),
            (
                #"{"v":1,"seq":0,"text":"a","tokens":0,"elapsed_ms":0}"#,
                .invalid(field: "tokens", reason: "must be at least 1: a chunk carries generated text")
            ),
        ]
        for (json, expected) in cases {
            #expect {
                try open(try encrypted(json))
            } throws: { error in
                guard case LoomEventError.content(let got) = error else { return false }
                // The exact wording of Foundation's number errors varies; the kind of error must not.
                if case .schema = expected, case .schema = got { return true }
                return got == expected
            }
        }
        // Unknown fields are ignored within version 1.
        let extra = try encrypted(#"{"v":1,"seq":4,"text":"a","tokens":9,"elapsed_ms":1,"later":true}"#)
        #expect(try open(extra).chunk == JobChunk(seq: 4, text: "a", tokens: 9, elapsedMs: 1))
    }

    @Test func requestsAskForAStreamOnlyWhenTheyWantOne() throws {
        var request = try Fixture.request(payment: try Fixture.token([64]))
        let plain = try WireJSON.encode(request)
        #expect(!plain.contains("stream"))
        request.stream = true
        let asked = try WireJSON.encode(request)
        #expect(asked.contains(#""stream":true"#))
        #expect(try WireJSON.decode(JobRequest.self, from: asked).stream)
        #expect(try !WireJSON.decode(JobRequest.self, from: plain).stream)
        #expect(request.description.hasSuffix(", stream)"))
        #expect(throws: ContentError.self) {
            try WireJSON.decode(
                JobRequest.self, from: asked.replacingOccurrences(of: #""stream":true"#, with: #""stream":"yes""#))
        }
    }
}
