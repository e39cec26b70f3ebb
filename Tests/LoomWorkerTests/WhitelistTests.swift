import Foundation
import LoomTestFixtures
import LoomWorker
import Nostr
import NostrRelay
import Secp256k1
import Testing

@Suite struct WhitelistFileTests {
    @Test func parsesKeysListsCommentsAndReportsBadLines() {
        let a = SecretKey.generate().xOnlyPublicKey, b = SecretKey.generate().xOnlyPublicKey
        let list = NIP19Entity.naddr(identifier: "friends", pubkey: a, kind: 30000, relays: ["wss://r.example"]).encoded
        let text = """
            # workers' friends
            \(a.npub)

            \(b.hex.uppercased())   # hex works too
            nostr:\(list)
            npub1notakey
            naddr1broken
            \(SecretKey.generate().nsec)
            """
        let file = WhitelistFile.parse(text)
        #expect(file.pubkeys == [a.hex, b.hex])
        #expect(file.lists == [ListAddress(author: a, kind: 30000, identifier: "friends")])
        #expect(file.problems.map(\.line) == [6, 7, 8])
        #expect(file.problems[2].description == "line 8: \"nsec1…\": a secret key; put the npub here and keep the nsec private")
        #expect(file.problems[0].description.contains("line 6"))
    }
}

@Suite struct OpenAccessTests {
    @Test func openAccessAllowsEveryone() {
        let policy: any AccessPolicy = OpenAccess.announced(logger: edgeLogger("test.access"))
        #expect(policy.allows(SecretKey.generate().xOnlyPublicKey.hex))
    }
}

/// The whitelist file, read and re-read (WhitelistTests in LoomWorkerLiveTests
/// follow NIP-51 lists on a relay).
@Suite(.serialized) struct WhitelistTests {
    let worker = SecretKey.generate()

    @Test func fileIsReloadedWhenItChanges() async throws {
        let path = edgeTemporaryFile("whitelist")
        defer { try? FileManager.default.removeItem(at: path) }
        let alice = SecretKey.generate().xOnlyPublicKey, bob = SecretKey.generate().xOnlyPublicKey
        try "\(alice.npub)\nnot-a-key\n".write(to: path, atomically: true, encoding: .utf8)
        let whitelist = Whitelist(file: path, workerKey: worker, logger: edgeLogger("test.whitelist"))
        #expect(whitelist.allows(alice.hex) && !whitelist.allows(bob.hex))
        #expect(whitelist.problems.map(\.line) == [2])

        let pool = try RelayPool(urls: [])
        let running = Task { await whitelist.run(pool: pool, pollInterval: .milliseconds(200)) }
        defer { running.cancel() }
        // Written as editors do: a new file renamed over the old one.
        try "# bob only now\n\(bob.hex)\n".write(to: path, atomically: true, encoding: .utf8)
        try await edgeEventually("the new file to be read") { whitelist.allows(bob.hex) }
        #expect(!whitelist.allows(alice.hex))
        #expect(whitelist.problems.isEmpty)
    }

    @Test func missingFileMeansNoKeys() {
        let whitelist = Whitelist(file: edgeTemporaryFile("absent"), workerKey: worker, logger: edgeLogger("test.whitelist"))
        #expect(whitelist.pubkeys.isEmpty)
        #expect(!whitelist.allows(SecretKey.generate().xOnlyPublicKey.hex))
    }
}
