import Foundation
import LoomTestFixtures
import LoomTestSupport
import LoomWorker
import Nostr
import Secp256k1
import Testing

/// `loom whitelist …` as curators run it: the built binary against a real relay.
@Suite(.serialized) struct WhitelistCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LOOM_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return TestServer.packageRoot.appendingPathComponent(".build/debug/loom")
    }

    let curator = SecretKey.generate()

    /// Runs `loom whitelist <arguments>` with the curator key in the
    /// environment (unless `key` says otherwise); output goes through files so
    /// a large answer cannot fill a pipe.
    func loom(_ arguments: [String], key: SecretKey?? = .none) async throws -> Run {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw EdgeTimeout(what: "the loom binary at \(binary.path) (run `swift build` first)")
        }
        let out = edgeTemporaryFile("stdout"), err = edgeTemporaryFile("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["whitelist"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NOSTR_RELAYS"] = nil
        switch key {
        case .none: environment["NOSTR_PRIVATE_KEY"] = curator.nsec
        case .some(.none): environment["NOSTR_PRIVATE_KEY"] = nil
        case .some(.some(let other)): environment["NOSTR_PRIVATE_KEY"] = other.nsec
        }
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Run(
            status: status, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func json(_ run: Run) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test func curatorEditsAListThatWorkersFollow() async throws {
        let relay = try await TestRelay()
        let r = ["--relay", relay.url]
        let alice = SecretKey.generate(), bob = SecretKey.generate().xOnlyPublicKey, carol = SecretKey.generate().xOnlyPublicKey
        let aliceProfile = NIP19Entity.nprofile(pubkey: alice.xOnlyPublicKey, relays: ["wss://r.example"]).encoded

        let created = try await loom(["create", "friends", "--title", "Friends of the worker", "--json"] + r)
        #expect(created.status == 0, "\(created.stderr)")
        let naddr = try #require(try json(created)["naddr"] as? String)
        #expect(try ListAddress(naddr: naddr) == ListAddress(author: curator.xOnlyPublicKey, identifier: "friends"))

        let added = try await loom(["add", "friends", aliceProfile, bob.hex] + r)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("added 2"))
        let hidden = try await loom(["add", "friends", carol.npub, "--private"] + r)
        #expect(hidden.status == 0, "\(hidden.stderr)")

        let shown = try json(try await loom(["show", "friends", "--json"] + r))
        #expect(shown["public"] as? [String] == [alice.xOnlyPublicKey.npub, bob.npub])
        #expect(shown["private"] as? [String] == [carol.npub])
        #expect(shown["title"] as? String == "Friends of the worker")
        // Someone else sees the public entries only, and is told why.
        let stranger = try await loom(["show", naddr] + r, key: .some(nil))
        #expect(stranger.status == 0 && stranger.stdout.contains(bob.npub) && !stranger.stdout.contains(carol.npub))
        #expect(stranger.stdout.contains("private entries not shown"))

        let listed = try await loom(["list"] + r)
        #expect(listed.status == 0 && listed.stdout.contains("friends\t3 keys"))

        let published = try await loom(["publish", "friends"] + r)
        #expect(published.status == 0)
        let printed = published.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try ListAddress(naddr: printed) == ListAddress(naddr: naddr))

        // `check` answers as a worker would: private entries only for the list's author.
        #expect(try await loom(["check", naddr, bob.npub] + r, key: .some(nil)).status == 0)
        #expect(try await loom(["check", naddr, carol.npub] + r, key: .some(nil)).status == 1)
        #expect(try await loom(["check", naddr, carol.npub] + r).status == 0)

        let removed = try await loom(["remove", "friends", bob.npub] + r)
        #expect(removed.status == 0 && removed.stdout.contains("removed 1"))
        let after = try await loom(["check", naddr, bob.npub, "--json"] + r, key: .some(nil))
        #expect(after.status == 1)
        #expect(try json(after)["on_list"] as? Bool == false)
    }

    @Test func errorsAreClearWithExitCodeTwo() async throws {
        let relay = try await TestRelay()
        let r = ["--relay", relay.url]

        let missing = try await loom(["add", "nobody", SecretKey.generate().xOnlyPublicKey.npub] + r)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no list named \"nobody\"") && missing.stderr.contains("loom whitelist create nobody"))

        let malformed = try await loom(["add", "nobody", "npub1thisisnotakey"] + r)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("npub1thisisnotakey") && malformed.stderr.contains("not a public key"))
        let secret = SecretKey.generate().nsec
        let pastedSecret = try await loom(["add", "nobody", secret] + r)
        #expect(pastedSecret.status == 2 && !pastedSecret.stderr.contains(secret) && pastedSecret.stderr.contains("secret key"))

        #expect(try await loom(["create", "twice"] + r).status == 0)
        let again = try await loom(["create", "twice"] + r)
        #expect(again.status == 2 && again.stderr.contains("already exists"))

        let badAddress = try await loom(["check", "naddr1nope", SecretKey.generate().xOnlyPublicKey.npub] + r)
        #expect(badAddress.status == 2 && badAddress.stderr.contains("not a list address"))

        let port = try TestRelay.unusedPort()
        let unreachable = try await loom(["list", "--relay", "ws://127.0.0.1:\(port)", "--timeout", "2"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("no relay answered"))

        let noKey = try await loom(["list"] + r, key: .some(nil))
        #expect(noKey.status != 0 && noKey.stderr.contains("NOSTR_PRIVATE_KEY"))
    }
}
