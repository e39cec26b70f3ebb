import Foundation
import Nostr
import Secp256k1
import Testing

@testable import NostrRelay

/// The checks on what a relay sends, driven without a socket.
struct IncomingRulesTests {
    let key = SecretKey.generate()
    var mine: Filter { Filter(authors: [key.xOnlyPublicKey.hex], kinds: [1]) }

    func feed(_ conn: RelayConnection, _ json: String) async { await conn.receive(Data(json.utf8)) }

    @Test func onlyValidMatchingEventsWithinTheLimitGetThrough() async throws {
        var config = RelayConfiguration()
        config.maxEventBytes = 2048
        let conn = try RelayConnection(url: "ws://127.0.0.1:9", configuration: config)
        let sub = await conn.subscribe([mine])
        let good = try note("ok", key: key)
        let forged = Event(
            id: good.id, pubkey: good.pubkey, createdAt: good.createdAt, kind: 1, tags: [],
            content: "changed", sig: good.sig)
        let stranger = try note("not mine", key: .generate())
        let huge = try note(String(repeating: "h", count: 4000), key: key)

        for event in [huge, forged, stranger, good, good] {
            await feed(conn, #"["EVENT","\#(sub.id)",\#(event.json)]"#)
        }
        await feed(conn, #"["EVENT","unknown",\#(good.json)]"#)
        await feed(conn, #"["EVENT","\#(sub.id)"]"#)
        await feed(conn, #"["EOSE","\#(sub.id)"]"#)
        await feed(conn, #"["EOSE","\#(sub.id)"]"#)
        await feed(conn, #"["CLOSED","\#(sub.id)","error: shutting down"]"#)

        var items: [SubscriptionItem] = []
        for await item in sub { items.append(item) }
        #expect(items == [.event(good), .endOfStoredEvents, .closed("error: shutting down")])
        let stats = await conn.statistics
        #expect(stats.droppedTooLarge == 1)
        #expect(stats.droppedInvalid == 1)
        #expect(stats.droppedUnmatched == 1)
        #expect(stats.droppedDuplicate == 1)
        #expect(stats.droppedUnknownSubscription == 1)
        #expect(stats.droppedMalformed == 1)
        #expect(stats.eventsDelivered == 1)
        #expect(await conn.subscriptions.isEmpty, "a subscription the relay closed is not re-sent")
        await conn.close()
    }

    /// The subscriber's gate runs before the signature check: a refused
    /// event is dropped and counted as not admitted even when its signature
    /// is bad (it was never verified), while an admitted forgery is still caught.
    @Test func gateRefusesBeforeTheSignatureIsChecked() async throws {
        let conn = try RelayConnection(url: "ws://127.0.0.1:9")
        let stranger = SecretKey.generate()
        let anyNote = Filter(kinds: [1])
        let allowed = key.xOnlyPublicKey.hex
        let sub = await conn.subscribe([anyNote], admit: { $0.pubkey == allowed })
        let good = try note("mine", key: key)
        let forgedMine = Event(
            id: good.id, pubkey: good.pubkey, createdAt: good.createdAt, kind: 1, tags: [],
            content: "changed", sig: good.sig)
        let theirs = try note("theirs", key: stranger)
        let forgedTheirs = Event(
            id: theirs.id, pubkey: theirs.pubkey, createdAt: theirs.createdAt, kind: 1, tags: [],
            content: "changed", sig: theirs.sig)
        for event in [theirs, forgedTheirs, forgedMine, good] {
            await feed(conn, #"["EVENT","\#(sub.id)",\#(event.json)]"#)
        }
        await feed(conn, #"["CLOSED","\#(sub.id)","done"]"#)

        var items: [SubscriptionItem] = []
        for await item in sub { items.append(item) }
        #expect(items == [.event(good), .closed("done")])
        let stats = await conn.statistics
        #expect(stats.droppedNotAdmitted == 2, "both of the stranger's events, the forged one unverified")
        #expect(stats.droppedInvalid == 1, "the admitted forgery")
        #expect(stats.eventsDelivered == 1)
        await conn.close()
    }

    @Test func closeEndsSubscriptionsAndRefusesNewWork() async throws {
        let conn = try RelayConnection(url: "ws://127.0.0.1:9")
        let sub = await conn.subscribe([mine])
        await conn.close()
        var count = 0
        for await _ in sub { count += 1 }
        #expect(count == 0)
        let late = await conn.subscribe([mine])
        var items: [SubscriptionItem] = []
        for await item in late { items.append(item) }
        #expect(items == [.closed("connection closed")])
    }
}
