import Foundation
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

/// `loom doctor` through the command line against the real test stack.
@Suite struct DoctorTests {
    let nsec = try! NIP19Entity.nsec(SecretKey.generate()).encode()
    let client = try! NIP19Entity.npub(SecretKey.generate().xOnlyPublicKey).encode()

    /// A relay, a mint, the Ollama stub and a Blossom server, started together.
    func healthyStack() async throws -> (TestRelay, TestServer, TestOllama, TestBlossom) {
        async let relay = TestRelay()
        async let mint = TestMint.start()
        async let ollama = TestOllama()
        async let blossom = TestBlossom()
        return try await (relay, mint, ollama, blossom)
    }

    @Test func aHealthySetupHasNoProblems() async throws {
        let (r, m, o, b) = try await healthyStack()
        let dir = try temporaryFolder()
        try "# who may use this worker\n\(client)\n".write(
            to: dir.appendingPathComponent("whitelist"), atomically: true, encoding: .utf8)
        let run = try await LoomCLI.run(
            ["doctor"],
            environment: [
                "NOSTR_PRIVATE_KEY": nsec, "NOSTR_RELAYS": r.url, "CASHU_MINT_URL": m.httpURL,
                "BLOSSOM_SERVER_URL": b.url, "OLLAMA_URL": o.url, "DATA_DIR": dir.appendingPathComponent("data").path,
            ], directory: dir)
        #expect(run.status == 0, "\(run.output)")
        for area in ["relay", "mint", "blossom", "backend", "whitelist", "data"] {
            #expect(run.stdout.contains("ok      \(area)"), "no ok line for \(area):\n\(run.output)")
        }
        #expect(run.stdout.contains("no problems found"))
        #expect(!run.output.contains(nsec), "the secret key is never printed")
    }

    @Test func everyUnreachablePartIsNamedWithItsFix() async throws {
        let dead = try TestServer.unusedPort()
        let dir = try temporaryFolder()
        let run = try await LoomCLI.run(
            ["doctor", "--timeout", "3", "--json"],
            environment: [
                "NOSTR_PRIVATE_KEY": nsec, "NOSTR_RELAYS": "ws://127.0.0.1:\(dead)",
                "CASHU_MINT_URL": "http://127.0.0.1:\(dead)", "BLOSSOM_SERVER_URL": "http://127.0.0.1:\(dead)",
                "OLLAMA_URL": "http://127.0.0.1:\(dead)", "DATA_DIR": dir.appendingPathComponent("data").path,
            ], directory: dir)
        #expect(run.status == 1)
        let findings = try JSONDecoder().decode([Finding].self, from: Data(run.stdout.utf8))
        let problems = Dictionary(grouping: findings.filter { $0.outcome == "problem" }, by: \.area)
        for area in ["relay", "mint", "blossom", "backend", "whitelist"] {
            let found = try #require(problems[area]?.first, "no problem reported for \(area): \(run.output)")
            #expect(!(found.fix ?? "").isEmpty, "\(area) problem without a fix")
        }
    }

    /// The naddrs in WHITELIST are looked up as the worker would follow them:
    /// a published list is found with its key count, a missing one is a
    /// problem with a fix.
    @Test func followedListsAreFoundOrReported() async throws {
        let (r, m, o, b) = try await healthyStack()
        let curator = SecretKey.generate()
        var list = NIP51List.followSet(identifier: "friends")
        for _ in 0..<3 { _ = list.add(pubkey: SecretKey.generate().xOnlyPublicKey) }
        let pool = try RelayPool(urls: [r.url])
        await pool.connect()
        _ = try await pool.publish(try list.event(signedBy: curator))
        await pool.close()
        let published = try list.naddr(author: curator.xOnlyPublicKey).encode()
        let missing = try NIP51List.followSet(identifier: "nobody-published-this").naddr(author: curator.xOnlyPublicKey).encode()

        let dir = try temporaryFolder()
        let run = try await LoomCLI.run(
            ["doctor", "--json"],
            environment: [
                "NOSTR_PRIVATE_KEY": nsec, "NOSTR_RELAYS": r.url, "CASHU_MINT_URL": m.httpURL,
                "BLOSSOM_SERVER_URL": b.url, "OLLAMA_URL": o.url, "WHITELIST": "\(published),\(missing)",
                "DATA_DIR": dir.appendingPathComponent("data").path,
            ], directory: dir)
        let findings = try JSONDecoder().decode([Finding].self, from: Data(run.stdout.utf8))
        let lists = findings.filter { $0.area == "whitelist" && $0.subject.hasPrefix("list ") }
        let found = try #require(lists.first { $0.subject.contains("friends") }, "\(run.output)")
        #expect(found.outcome == "ok")
        #expect(found.detail.contains("3 public key(s)"), "\(found.detail)")
        let notFound = try #require(lists.first { $0.subject.contains("nobody-published-this") }, "\(run.output)")
        #expect(notFound.outcome == "problem")
        #expect(notFound.detail.contains("not found"))
        #expect(notFound.fix?.contains("loom whitelist publish") == true)
    }

    @Test func aBadSettingStopsAtOnceNamingTheKey() async throws {
        let dir = try temporaryFolder()
        let run = try await LoomCLI.run(["doctor"], environment: ["NOSTR_PRIVATE_KEY": "nsec1nothing"], directory: dir)
        #expect(run.status == 1)
        #expect(run.stdout.contains("PROBLEM config NOSTR_PRIVATE_KEY"), "\(run.output)")
        #expect(run.stdout.contains("fix: "))
    }

    @Test func anEnvFileIsReadAndTheEnvironmentWins() async throws {
        let dir = try temporaryFolder()
        try "# worker settings\nexport NOSTR_PRIVATE_KEY=\"\(nsec)\"\n".write(
            to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        // The key comes from .env, so the first missing setting is the next one.
        let fromFile = try await LoomCLI.run(["doctor"], directory: dir)
        #expect(fromFile.status == 1)
        #expect(fromFile.stdout.contains("PROBLEM config NOSTR_RELAYS"), "\(fromFile.output)")

        try "NOSTR_PRIVATE_KEY=garbage\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let overridden = try await LoomCLI.run(["doctor"], environment: ["NOSTR_PRIVATE_KEY": nsec], directory: dir)
        #expect(overridden.stdout.contains("PROBLEM config NOSTR_RELAYS"), "the environment's key wins: \(overridden.output)")
    }

    struct Finding: Decodable {
        let area: String
        let subject: String
        let outcome: String
        let detail: String
        let fix: String?
    }
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("loom-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
