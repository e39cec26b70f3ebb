import Cashu
import Foundation
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

/// One test per rejection the protocol layer decides, each built so that
/// only that check can fail, plus tests that the checks run in cost order.
@Suite struct RequestRejectionTests {
    let opener = RequestOpener(workerKey: Fixture.worker)
    var workerHex: String { Fixture.worker.xOnlyPublicKey.hex }

    func open(_ event: Event, allowed: Bool = true) throws(RequestRejection) -> OpenedRequest {
        try opener.open(event, now: Fixture.now, isAllowed: { _ in allowed })
    }

    func expectRejection(
        _ expected: RequestRejection.Code, _ event: Event, allowed: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try open(event, allowed: allowed)
            Issue.record("accepted; expected \(expected.rawValue)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == expected, "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// Encrypted JSON content with `fields` plus `"v": 1` unless given.
    func contentEvent(_ json: String) throws -> Event {
        try Fixture.rawRequest(content: try Fixture.encrypted(json))
    }

    @Test func wrongKind() throws {
        let event = try Fixture.rawRequest(content: try Fixture.encrypted("{}"), kind: 5001)
        #expect(throws: RequestRejection.wrongKind(5001)) { try open(event) }
    }

    @Test func wrongWorker() throws {
        let body = try Fixture.encrypted("{\"v\":1}")
        for tags in [
            [["p", Fixture.stranger.xOnlyPublicKey.hex], ["encrypted"]],
            [["encrypted"]],
            [["p", workerHex], ["p", Fixture.stranger.xOnlyPublicKey.hex], ["encrypted"]],
        ] {
            expectRejection(.wrongWorker, try Fixture.rawRequest(content: body, tags: tags))
        }
    }

    @Test func tooLarge() throws {
        let small = RequestOpener(workerKey: Fixture.worker, maxEventBytes: 1_000)
        let event = try Fixture.sealed()
        #expect(throws: RequestRejection.tooLarge(bytes: RequestOpener.approximateSize(event), limit: 1_000)) {
            try small.open(event, now: Fixture.now)
        }
    }

    @Test func notWhitelisted() throws {
        var asked: [String] = []
        #expect(throws: RequestRejection.notWhitelisted) {
            try opener.open(
                try Fixture.sealed(), now: Fixture.now,
                isAllowed: {
                    asked.append($0); return false
                })
        }
        #expect(asked == [Fixture.client.xOnlyPublicKey.hex])
    }

    @Test func badSignature() throws {
        let event = try Fixture.sealed()
        expectRejection(.badSignature, event.tampered(content: try Fixture.encrypted("{\"v\":1}")))
        expectRejection(.badSignature, event.tampered(tags: event.tags + [["t", "x"]]))
    }

    @Test func expired() throws {
        #expect(throws: RequestRejection.expired(at: Fixture.now)) { try open(try Fixture.sealed(expiresAt: Fixture.now)) }
        let malformed = try Fixture.rawRequest(
            content: try Fixture.encrypted("{}"),
            tags: [["p", workerHex], ["encrypted"], ["expiration", "soon"]])
        #expect(throws: RequestRejection.expired(at: nil)) { try open(malformed) }
    }

    @Test func notEncrypted() throws {
        let plain = #"{"v":1,"model":"llama3.2:3b","prompt":"hi","payment":""}"#
        expectRejection(.notEncrypted, try Fixture.rawRequest(content: plain))
        // Real ciphertext, but without the `encrypted` marker.
        expectRejection(.notEncrypted, try Fixture.rawRequest(content: try Fixture.encrypted(plain), tags: [["p", workerHex]]))
    }

    @Test func clearTextPayment() throws {
        let token = try Fixture.token([64])
        let plain = #"{"v":1,"model":"llama3.2:3b","prompt":"hi","payment":"\#(token)"}"#
        expectRejection(.clearTextPayment, try Fixture.rawRequest(content: plain))
        expectRejection(.clearTextPayment, try Fixture.rawRequest(content: token))
        let v3 = try Token.decode(token).serializedV3()
        expectRejection(.clearTextPayment, try Fixture.rawRequest(content: "pay: \(v3)"))
        // A token in a tag is just as public, even when the content is encrypted.
        let tagged = try Fixture.rawRequest(
            content: try Fixture.encrypted(plain.replacingOccurrences(of: token, with: "")),
            tags: [["p", workerHex], ["encrypted"], ["payment", token]])
        expectRejection(.clearTextPayment, tagged)
    }

    @Test func undecryptable() throws {
        let toStranger = try NIP44.encrypt(#"{"v":1}"#, from: Fixture.client, to: Fixture.stranger.xOnlyPublicKey)
        expectRejection(.undecryptable, try Fixture.rawRequest(content: toStranger))
        // Base64-shaped, starts like v2, but not a payload.
        expectRejection(.undecryptable, try Fixture.rawRequest(content: "A" + String(repeating: "B", count: 200)))
    }

    @Test func badSchema() throws {
        let pay = try Fixture.token([64])
        for json in [
            "not json at all",
            "[1,2,3]",
            #"{"model":"m","prompt":"hi"}"#,  // no version
            #"{"v":"1","model":"m","prompt":"hi"}"#,
            #"{"v":1,"prompt":"hi","payment":"\#(pay)"}"#,
            #"{"v":1,"model":"m","payment":"\#(pay)"}"#,
            #"{"v":1,"model":"m","prompt":"a","messages":[{"role":"user","content":"b"}],"payment":"\#(pay)"}"#,
            #"{"v":1,"model":"m","messages":[{"role":"wizard","content":"b"}],"payment":"\#(pay)"}"#,
            #"{"v":1,"model":"m","messages":[],"payment":"\#(pay)"}"#,
            #"{"v":1,"model":"m","prompt":"hi","payment":"\#(pay)","max_seconds":-5}"#,
            #"{"v":1,"model":"m","prompt":"hi","payment":"\#(pay)","max_seconds":0}"#,
            #"{"v":1,"model":"m","prompt":"hi","payment":42}"#,
        ] {
            expectRejection(.badSchema, try contentEvent(json))
        }
    }

    @Test func badSchemaMessagesNameTheFieldNotTheValue() throws {
        let event = try contentEvent(#"{"v":1,"model":"m","prompt":"secret prompt","payment":42}"#)
        do { _ = try open(event) } catch {
            #expect(error.message.contains("payment"))
            #expect(!error.message.contains("secret prompt"))
        }
    }

    @Test func unsupportedVersion() throws {
        #expect(throws: RequestRejection.unsupportedVersion(2)) {
            try open(try contentEvent(#"{"v":2,"task":"something new"}"#))
        }
    }

    @Test func paymentMissing() throws {
        expectRejection(.paymentMissing, try contentEvent(#"{"v":1,"model":"m","prompt":"hi"}"#))
        expectRejection(.paymentMissing, try contentEvent(#"{"v":1,"model":"m","prompt":"hi","payment":""}"#))
    }

    // MARK: cost order

    @Test func cheapChecksComeBeforeTheSignature() throws {
        let forged = try Fixture.sealed().tampered(content: "A" + String(repeating: "B", count: 200))
        expectRejection(.badSignature, forged)
        // The same forgery, also failing a cheaper check, is refused for the cheaper reason.
        expectRejection(.notWhitelisted, forged, allowed: false)
        expectRejection(.wrongWorker, forged.tampered(tags: [["p", Fixture.stranger.xOnlyPublicKey.hex], ["encrypted"]]))
        let tiny = RequestOpener(workerKey: Fixture.worker, maxEventBytes: 100)
        #expect(throws: RequestRejection.tooLarge(bytes: RequestOpener.approximateSize(forged), limit: 100)) {
            try tiny.open(forged, now: Fixture.now, isAllowed: { _ in false })
        }
    }

    @Test func signatureComesBeforeExpirationAndExpirationBeforeDecryption() throws {
        let stale = try Fixture.rawRequest(
            content: "not encrypted",
            tags: [["p", workerHex], ["encrypted"], ["expiration", String(Fixture.now - 5)]])
        expectRejection(.expired, stale)
        expectRejection(.badSignature, stale.tampered(content: "still not encrypted"))
    }

    @Test func decryptionComesBeforeSchemaAndSchemaBeforePayment() throws {
        expectRejection(.badSchema, try contentEvent(#"{"v":1,"prompt":"hi"}"#))  // no model and no payment
        expectRejection(.unsupportedVersion, try contentEvent(#"{"v":9}"#))
    }
}
