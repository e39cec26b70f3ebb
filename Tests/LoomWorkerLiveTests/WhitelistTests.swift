import Foundation
import LoomTestFixtures
import LoomTestSupport
import LoomWorker
import Nostr
import NostrRelay
import Secp256k1
import Testing

/// NIP-51 lists followed on a real relay (LoomWorkerTests has the file-only cases).
@Suite(.serialized) struct WhitelistTests {
    let worker = SecretKey.generate()
    let curator = SecretKey.generate()

    func list(
        _ members: [XOnlyPublicKey], private hidden: [XOnlyPublicKey] = [], identifier: String = "workers",
        by author: SecretKey, at createdAt: Int64
    ) throws -> Event {
        var list = NIP51List.followSet(identifier: identifier)
        for key in members { list.add(pubkey: key) }
        for key in hidden { list.add(pubkey: key, isPrivate: true) }
        return try list.event(signedBy: author, createdAt: createdAt)
    }

    func naddr(_ author: SecretKey, _ identifier: String = "workers") -> String {
        NIP19Entity.naddr(identifier: identifier, pubkey: author.xOnlyPublicKey, kind: 30000, relays: []).encoded
    }

    @Test func listPublishedThenUpdatedNewerWins() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let alice = SecretKey.generate().xOnlyPublicKey, bob = SecretKey.generate().xOnlyPublicKey
        let now = Event.now()
        _ = try await pool.publish(try list([alice, bob], by: curator, at: now - 10))

        let whitelist = Whitelist(file: nil, lists: [naddr(curator)], workerKey: worker, logger: edgeLogger("test.whitelist"))
        #expect(!whitelist.allows(alice.hex))
        let running = Task { await whitelist.run(pool: pool) }
        defer { running.cancel() }
        try await edgeEventually("the stored list") { whitelist.allows(alice.hex) && whitelist.allows(bob.hex) }

        // The curator removes bob; the live subscription brings the new version.
        _ = try await pool.publish(try list([alice], by: curator, at: now))
        try await edgeEventually("bob to be removed") { !whitelist.allows(bob.hex) }
        #expect(whitelist.allows(alice.hex))
    }

    @Test func olderVersionArrivingLaterIsIgnored() async throws {
        let first = try await TestRelay(), second = try await TestRelay()
        let pool = try await edgePool([first.url, second.url])
        let toFirst = try await edgePool([first.url]), toSecond = try await edgePool([second.url])
        defer {
            Task {
                await pool.close(); await toFirst.close(); await toSecond.close()
            }
        }
        let alice = SecretKey.generate().xOnlyPublicKey, mallory = SecretKey.generate().xOnlyPublicKey
        let marker = SecretKey.generate().xOnlyPublicKey
        let now = Event.now()
        let newer = try list([alice], by: curator, at: now)
        let older = try list([alice, mallory], by: curator, at: now - 60)

        let whitelist = Whitelist(
            file: nil, lists: [naddr(curator), naddr(curator, "marker")], workerKey: worker,
            logger: edgeLogger("test.whitelist"))
        let running = Task { await whitelist.run(pool: pool) }
        defer { running.cancel() }
        _ = try await toFirst.publish(newer)
        try await edgeEventually("the newer list") { whitelist.allows(alice.hex) }

        // The second relay has never seen the newer version, so it stores and
        // forwards the older one. A marker list sent after it on the same relay
        // shows the older one has been delivered by the time the marker is in.
        _ = try await toSecond.publish(older)
        _ = try await toSecond.publish(try list([marker], identifier: "marker", by: curator, at: now))
        try await edgeEventually("the marker list") { whitelist.allows(marker.hex) }
        #expect(!whitelist.allows(mallory.hex))
        #expect(!whitelist.apply(older))
    }

    @Test func privateEntriesCountOnlyOnTheWorkersOwnList() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let open = SecretKey.generate().xOnlyPublicKey, hidden = SecretKey.generate().xOnlyPublicKey
        // The worker curates its own list; a stranger follows the same list.
        _ = try await pool.publish(try list([open], private: [hidden], by: worker, at: Event.now()))

        let own = Whitelist(file: nil, lists: [naddr(worker)], workerKey: worker, logger: edgeLogger("test.whitelist"))
        let other = Whitelist(
            file: nil, lists: [naddr(worker)], workerKey: SecretKey.generate(), logger: edgeLogger("test.whitelist"))
        let runs = [Task { await own.run(pool: pool) }, Task { await other.run(pool: pool) }]
        defer { for run in runs { run.cancel() } }
        try await edgeEventually("both whitelists to read the list") { own.allows(open.hex) && other.allows(open.hex) }
        #expect(own.allows(hidden.hex))
        #expect(!other.allows(hidden.hex))
    }

    @Test func naddrInTheFileIsFollowed() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let path = edgeTemporaryFile("whitelist")
        defer { try? FileManager.default.removeItem(at: path) }
        try "# nothing yet\n".write(to: path, atomically: true, encoding: .utf8)
        let member = SecretKey.generate().xOnlyPublicKey
        _ = try await pool.publish(try list([member], by: curator, at: Event.now()))

        let whitelist = Whitelist(file: path, workerKey: worker, logger: edgeLogger("test.whitelist"))
        let running = Task { await whitelist.run(pool: pool, pollInterval: .milliseconds(200)) }
        defer { running.cancel() }
        try "\(naddr(curator))\n".write(to: path, atomically: true, encoding: .utf8)
        try await edgeEventually("the list named in the file") { whitelist.allows(member.hex) }
        #expect(whitelist.addresses.count == 1)

        // Taking the naddr out of the file drops its members.
        try "# list removed\n".write(to: path, atomically: true, encoding: .utf8)
        try await edgeEventually("the list to be dropped") { !whitelist.allows(member.hex) }
    }
}
