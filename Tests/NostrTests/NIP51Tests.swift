import Foundation
import Secp256k1
import Testing

@testable import Nostr

struct NIP51Tests {
    let curator = SecretKey.generate()
    let alice = SecretKey.generate().xOnlyPublicKey
    let bob = SecretKey.generate().xOnlyPublicKey
    let carol = SecretKey.generate().xOnlyPublicKey

    func whitelist() -> NIP51List {
        var list = NIP51List.followSet(identifier: "loom-workers", title: "Trusted workers")
        list.add(pubkey: alice, relay: "wss://relay.example")
        list.add(pubkey: bob, isPrivate: true)
        list.add(["t", "gpu"])
        return list
    }

    @Test func followSetRoundTripsWithPrivateEntries() throws {
        let event = try whitelist().event(signedBy: curator, createdAt: 1_700_000_000)
        #expect(event.kind == 30000)
        #expect(event.identifier == "loom-workers")
        #expect(event.tags.prefix(2) == [["d", "loom-workers"], ["title", "Trusted workers"]])
        #expect(!event.content.contains(bob.hex), "private entries never appear in clear text")
        #expect(event.tagValues("p") == [alice.hex])

        let back = try NIP51List.parse(event, decryptingWith: curator)
        #expect(back == whitelist())
        #expect(back.pubkeys == [alice, bob])
        #expect(back.unreadContent == nil)
    }

    @Test func withoutKeyOnlyPublicEntriesAndContentIsKept() throws {
        let event = try whitelist().event(signedBy: curator)
        let seen = try NIP51List.parse(event)
        #expect(seen.pubkeys == [alice])
        #expect(seen.privateTags.isEmpty)
        #expect(seen.unreadContent == event.content)
        // Re-signing keeps the unread private entries intact.
        var edited = seen
        edited.add(pubkey: carol)
        let republished = try edited.event(signedBy: curator)
        #expect(republished.content == event.content)
        #expect(try NIP51List.parse(republished, decryptingWith: curator).pubkeys == [alice, carol, bob])
        // …but adding private entries would overwrite them.
        edited.add(pubkey: carol, isPrivate: true)
        edited.remove(pubkey: carol)
        edited.add(["p", carol.hex], isPrivate: true)
        #expect(throws: NIP51Error.wouldOverwriteUnreadContent) { try edited.event(signedBy: curator) }
    }

    @Test func onlyTheAuthorCanReadPrivateEntries() throws {
        let event = try whitelist().event(signedBy: curator)
        let other = SecretKey.generate()
        #expect(throws: NIP51Error.notAuthor(author: curator.xOnlyPublicKey.hex)) {
            try NIP51List.parse(event, decryptingWith: other)
        }
        let message = NIP51Error.notAuthor(author: curator.xOnlyPublicKey.hex).description
        #expect(message.contains(curator.xOnlyPublicKey.npub))
        #expect(message.contains("only the key"))
    }

    @Test func muteAndFollowLists() throws {
        var mute = NIP51List.muteList()
        mute.add(pubkey: alice)
        mute.add(["word", "spam"], isPrivate: true)
        let e = try mute.event(signedBy: curator)
        #expect(e.kind == 10000)
        #expect(e.firstTag("d") == nil, "standard lists carry no d tag")
        #expect(try NIP51List.parse(e, decryptingWith: curator) == mute)

        var follows = NIP51List.followList()
        follows.add(["p", alice.hex, "wss://alicerelay.com/", "alice"])
        follows.add(pubkey: bob)
        let f = try follows.event(signedBy: curator)
        #expect(f.kind == 3 && f.content.isEmpty)
        #expect(try NIP51List.parse(f).pubkeys == [alice, bob])
    }

    @Test func kind3RelayMapIsNotPrivateEntries() throws {
        let relayMap = #"{"wss://relay.example":{"read":true,"write":true}}"#
        let e = try Event.sign(kind: 3, content: relayMap, tags: [["p", alice.hex]], with: curator)
        let list = try NIP51List.parse(e, decryptingWith: curator)
        #expect(list.pubkeys == [alice])
        #expect(list.unreadContent == relayMap)
        #expect(try list.event(signedBy: curator).content == relayMap)
    }

    @Test func legacyNIP04IsReportedNotCrashed() throws {
        let e = try Event.sign(
            kind: 10000, content: "aGVsbG8gd29ybGQgZW5jcnlwdGVk?iv=MDEyMzQ1Njc4OWFiY2RlZg==", tags: [], with: curator)
        #expect(throws: NIP51Error.legacyNIP04) { try NIP51List.parse(e, decryptingWith: curator) }
        #expect(try NIP51List.parse(e).unreadContent == e.content)
        #expect(NIP51Error.legacyNIP04.description.contains("NIP-04"))
    }

    @Test func garbledPrivateContentIsAClearError() throws {
        let e = try Event.sign(kind: 30000, content: "not a payload", tags: [["d", "x"]], with: curator)
        #expect(throws: NIP51Error.decryptionFailed(.invalidPayloadLength(13))) {
            try NIP51List.parse(e, decryptingWith: curator)
        }

        let self_ = NIP44.conversationKey(curator, curator.xOnlyPublicKey)
        let notTags = try NIP44.encrypt(#"{"p":"x"}"#, conversationKey: self_)
        let e2 = try Event.sign(kind: 30000, content: notTags, tags: [["d", "x"]], with: curator)
        #expect(throws: NIP51Error.malformedPrivateEntries) { try NIP51List.parse(e2, decryptingWith: curator) }
    }

    @Test func refusesNonListsAndForgeries() throws {
        let note = try Event.sign(kind: 1, content: "", with: curator)
        #expect(throws: NIP51Error.notAList(kind: 1)) { try NIP51List.parse(note) }
        let e = try whitelist().event(signedBy: curator)
        let forged = Event(
            id: e.id, pubkey: e.pubkey, createdAt: e.createdAt, kind: e.kind,
            tags: e.tags + [["p", carol.hex]], content: e.content, sig: e.sig)
        #expect(throws: NIP51Error.self) { try NIP51List.parse(forged) }
    }

    @Test func addAndRemoveHelpers() {
        var list = whitelist()
        let again = list.add(pubkey: alice)
        #expect(!again, "already present")
        let upper = list.add(["p", bob.hex.uppercased()])
        #expect(!upper, "hex compared case-insensitively")
        let added = list.add(pubkey: carol)
        #expect(added)
        #expect(list.pubkeys == [alice, carol, bob])
        let removed = list.remove(pubkey: bob), removedAgain = list.remove(pubkey: bob)
        #expect(removed && !removedAgain)
        #expect(list.privateTags.isEmpty)
        #expect(list.contains(pubkey: carol) && !list.contains(pubkey: bob))
        let topics = list.remove(name: "t", value: "gpu")
        #expect(topics == 1)
    }

    @Test func pubkeysSkipMalformedEntries() {
        let list = NIP51List(
            kind: 30000, identifier: "x", publicTags: [["p"], ["p", "zz"], ["p", alice.hex], ["p", alice.hex]])
        #expect(list.pubkeys == [alice])
    }

    @Test func naddrPointsAtTheList() throws {
        let list = whitelist()
        let addr = list.naddr(author: curator.xOnlyPublicKey, relays: ["wss://relay.example"])
        #expect(
            addr
                == .naddr(
                    identifier: "loom-workers", pubkey: curator.xOnlyPublicKey, kind: 30000, relays: ["wss://relay.example"]))
        #expect(try NIP19Entity.decode(addr.encoded) == addr)
    }

    @Test func metadataTagsAreNotEntries() throws {
        let e = try Event.sign(
            kind: 30000, content: "", tags: [["d", "a"], ["title", "T"], ["p", alice.hex], ["d", "b"]], with: curator)
        let list = try NIP51List.parse(e)
        #expect(list.identifier == "a" && list.title == "T")
        #expect(list.publicTags == [["p", alice.hex], ["d", "b"]])
    }
}
