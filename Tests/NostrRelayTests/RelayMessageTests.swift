import Foundation
import Nostr
import Secp256k1
import Testing

@testable import NostrRelay

struct RelayMessageTests {
    let key = SecretKey.generate()

    @Test func eventMessageCarriesTheEventsOwnJSON() throws {
        let event = try Event.sign(kind: 1, content: "line\nquote\" \u{01} é", with: key)
        let json = ClientMessage.event(event).json
        #expect(json == #"["EVENT","# + event.json + "]")
        // What the relay will parse is still valid JSON and the same event.
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any])
        let back = try Event(json: JSONSerialization.data(withJSONObject: array[1]))
        #expect(back == event)
    }

    @Test func reqAndCloseEncode() throws {
        let json = ClientMessage.req(
            subscriptionID: "s\"1",
            filters: [
                Filter(kinds: [1], tags: ["e": ["ab"]], since: 5),
                Filter(authors: ["cd"], limit: 2),
            ]
        ).json
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any])
        #expect(array.count == 4)
        #expect(array[0] as? String == "REQ")
        #expect(array[1] as? String == "s\"1")
        let first = try JSONDecoder().decode(Filter.self, from: JSONSerialization.data(withJSONObject: array[2]))
        #expect(first == Filter(kinds: [1], tags: ["e": ["ab"]], since: 5))
        #expect(json.contains(##""#e":["ab"]"##))
        #expect(ClientMessage.close(subscriptionID: "x").json == #"["CLOSE","x"]"#)
    }

    @Test func decodesEveryRelayMessage() throws {
        let event = try Event.sign(kind: 7, content: "+", with: key)
        #expect(try RelayMessage(json: #"["EVENT","s",\#(event.json)]"#) == .event(subscriptionID: "s", event: event))
        #expect(try RelayMessage(json: #"["OK","\#(event.id)",true,""]"#) == .ok(eventID: event.id, accepted: true, message: ""))
        #expect(
            try RelayMessage(json: #"["OK","",false,"invalid: Bad signature"]"#)
                == .ok(eventID: "", accepted: false, message: "invalid: Bad signature"))
        #expect(try RelayMessage(json: #"["OK","ab",true]"#) == .ok(eventID: "ab", accepted: true, message: ""))
        #expect(try RelayMessage(json: #"["EOSE","s"]"#) == .eose(subscriptionID: "s"))
        #expect(
            try RelayMessage(json: #"["CLOSED","s","error: shutting down"]"#)
                == .closed(subscriptionID: "s", message: "error: shutting down"))
        #expect(try RelayMessage(json: #"["NOTICE","hello"]"#) == .notice("hello"))
        #expect(try RelayMessage(json: #"["AUTH","challenge"]"#) == .auth(challenge: "challenge"))
    }

    @Test func malformedMessagesHaveSpecificErrors() {
        #expect(throws: RelayMessageError.self) { try RelayMessage(json: "not json") }
        #expect(throws: RelayMessageError.notJSONArray("top level is not an array")) { try RelayMessage(json: #"{"a":1}"#) }
        #expect(throws: RelayMessageError.missingType) { try RelayMessage(json: "[]") }
        #expect(throws: RelayMessageError.missingType) { try RelayMessage(json: "[1]") }
        #expect(throws: RelayMessageError.unknownType("COUNT")) { try RelayMessage(json: #"["COUNT","s",{"count":1}]"#) }
        #expect(throws: RelayMessageError.badField(type: "OK", index: 2, expected: "a boolean")) {
            try RelayMessage(json: #"["OK","ab","true",""]"#)
        }
        #expect(throws: RelayMessageError.badField(type: "EOSE", index: 1, expected: "a subscription id string")) {
            try RelayMessage(json: #"["EOSE"]"#)
        }
        #expect(throws: RelayMessageError.badField(type: "EVENT", index: 2, expected: "an event object")) {
            try RelayMessage(json: #"["EVENT","s"]"#)
        }
        do {
            _ = try RelayMessage(json: #"["EVENT","s",{"id":"x"}]"#)
            Issue.record("accepted an event without its fields")
        } catch {
            guard case .malformedEvent = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test func backoffGrowsIsCappedAndJittered() {
        let b = Backoff(initial: .milliseconds(100), maximum: .seconds(2), multiplier: 2, jitter: 0.5)
        #expect(b.delay(attempt: 0, random: 1) == .milliseconds(100))
        #expect(b.delay(attempt: 3, random: 1) == .milliseconds(800))
        #expect(b.delay(attempt: 30, random: 1) == .seconds(2))
        #expect(b.delay(attempt: 30, random: 0) == .seconds(1))
        #expect(b.delay(attempt: 1_000_000, random: 0.5) == .milliseconds(1500))
    }

    @Test func recentIDsForgetTheOldest() {
        var ids = RecentIDs(capacity: 3)
        let fresh = ["a", "b", "c"].map { ids.insert($0) }
        #expect(fresh == [true, true, true])
        let repeated = ids.insert("a")
        #expect(!repeated)
        _ = ids.insert("d")
        #expect(ids.count == 3 && !ids.contains("a") && ids.contains("d"))
        let again = ids.insert("a")
        #expect(again, "forgotten ids count as new")
        #expect(!ids.contains("b"))
    }

    @Test func relayURLsAreChecked() {
        #expect(throws: RelayError.invalidURL("http://x")) { try RelayConnection(url: "http://x") }
        #expect(throws: RelayError.invalidURL("ws://")) { try RelayConnection(url: "ws://") }
        #expect(throws: Never.self) { try RelayConnection(url: "wss://relay.example.com/path") }
        #expect(RelayError.rejected(relay: "r", reason: "blocked: go away").reasonPrefix == "blocked")
        #expect(RelayError.rejected(relay: "r", reason: "no prefix here: x").reasonPrefix == nil)
    }
}
