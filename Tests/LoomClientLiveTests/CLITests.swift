import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

extension ClientSuites {
    /// `loom workers` and `loom job …` driven through the built binary: the
    /// errors a user meets must be specific, and exit codes must say how a job ended.
    @Suite(.serialized)
    struct CLITests {
        struct Run { let code: Int32; let stdout: String; let stderr: String }

        static var binary: String { TestServer.packageRoot.appendingPathComponent(".build/debug/loom").path }

        static func loom(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Run {
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw TestServer.Failure(description: "\(binary) is missing: run `swift build` first")
            }
            return try await run(binary, arguments, environment: environment, stdin: stdin)
        }

        static func run(
            _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
        ) async throws -> Run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for name in ["NOSTR_RELAYS", "NOSTR_PRIVATE_KEY", "CASHU_MINT_URL", "DATA_DIR", "LOOM_TOKEN"] { env[name] = nil }
            process.environment = env.merging(environment) { $1 }
            // Never blocks a cooperative thread while the command runs (see ChildProcess).
            let result = try await ChildProcess.run(process, stdin: stdin.map { Data($0.utf8) })
            return Run(
                code: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                stderr: String(decoding: result.stderr, as: UTF8.self))
        }

        @Test func malformedNpubIsNamed() async throws {
            let dir = temporaryDirectory("cli")
            let r = try await Self.loom([
                "job", "submit", "hello", "--worker", "npub1notakey", "--relay", "ws://127.0.0.1:1",
                "--mint", "http://127.0.0.1:1", "--data-dir", dir.path,
            ])
            #expect(r.code == 1)
            #expect(r.stderr.contains("--worker npub1notakey: not an npub"), "\(r.stderr)")
        }

        /// Relays that refuse the connection are known to be down at once:
        /// the error comes long before the ten-minute timeout (the time limit
        /// fails the test otherwise).
        @Test(.timeLimit(.minutes(1)))
        func unreachableRelaysAreNamed() async throws {
            let dead = try (0..<2).map { _ in "ws://127.0.0.1:\(try TestRelay.unusedPort())" }
            let r = try await LoomCLI.run([
                "workers", "--timeout", "600", "--relay", dead[0], "--relay", dead[1],
                "--data-dir", temporaryDirectory("cli").path,
            ])
            #expect(r.status == 1)
            #expect(r.stderr.contains("no relay could be reached (\(dead[0]), \(dead[1]))"), "\(r.stderr)")
        }

        /// A dead relay next to a live one: `loom workers` lists the live
        /// relay's offer as soon as it has answered, not at the timeout.
        @Test(.timeLimit(.minutes(2)))
        func aDeadRelayDoesNotHoldTheListBack() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let dead = "ws://127.0.0.1:\(try TestRelay.unusedPort())"
            let key = SecretKey.generate()
            let writer = try RelayPool(urls: [relay.url])
            await writer.connect()
            _ = try await writer.publish(try testOffer("live", price: 1000).sign(with: key))
            await writer.close()

            let r = try await LoomCLI.run([
                "workers", "--json", "--timeout", "600", "--relay", dead, "--relay", relay.url,
                "--data-dir", temporaryDirectory("cli").path,
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
            #expect(rows?.map { $0["npub"] as? String } == [key.xOnlyPublicKey.npub], "\(r.stdout)")
        }

        @Test func unknownWorkerNoWorkerForModelAndEmptyWallet() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(
                on: relay, mint: mint, script: .complete(text: "x", elapsedMs: 1000), serving: false)
            let dir = temporaryDirectory("cli")
            let common = ["--relay", relay.url, "--mint", mint.httpURL, "--data-dir", dir.path]

            let stranger = SecretKey.generate().xOnlyPublicKey.npub
            let unknown = try await Self.loom(["job", "submit", "hi", "--worker", stranger] + common)
            #expect(unknown.code == 1)
            #expect(unknown.stderr.contains("has no live advertisement"), "\(unknown.stderr)")

            let noModel = try await Self.loom(["job", "submit", "hi", "--model", "mistral:7b"] + common)
            #expect(noModel.code == 1)
            #expect(noModel.stderr.contains("no live worker serves model \"mistral:7b\""), "\(noModel.stderr)")

            let empty = try await Self.loom(["job", "submit", "hi", "--model", "llama3.2:3b"] + common)
            #expect(empty.code == 1)
            #expect(empty.stderr.contains("the wallet holds 0 sat"), "\(empty.stderr)")

            let listed = try await Self.loom(
                ["workers", "--json", "--model", "llama3.2:3b"] + ["--relay", relay.url, "--data-dir", dir.path])
            #expect(listed.code == 0)
            let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            #expect(rows?.count == 1)
            #expect(rows?.first?["npub"] as? String == worker.key.xOnlyPublicKey.npub)
            #expect(rows?.first?["sat_per_minute"] as? Double == 150)
            await worker.stop()
        }

        @Test func submitPrintsOneObjectAndExitCodesFollowTheEnding() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            let dir = temporaryDirectory("cli")
            _ = try await fundedWallet(mint, 300, directory: dir)
            let common = ["--relay", relay.url, "--mint", mint.httpURL, "--data-dir", dir.path, "--json", "--timeout", "180"]

            let good = try await FakeWorker.advertised(on: relay, mint: mint, script: .complete(text: "done", elapsedMs: 2000))
            let done = try await Self.loom(
                ["job", "submit", "say done", "--worker", good.key.xOnlyPublicKey.npub, "--seconds", "10"] + common)
            #expect(done.code == 0, "\(done.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any], "\(done.stdout)")
            #expect(object["status"] as? String == "completed")
            #expect((object["change_redeemed_sat"] as? Int ?? 0) > 0)
            #expect((object["bill"] as? [String: Any])?["charged_sat"] as? Int == 13)
            #expect((object["job_id"] as? String)?.count == 64)
            #expect((object["nevent"] as? String)?.hasPrefix("nevent1") == true)
            #expect(done.stdout.split(separator: "\n").count == 1, "exactly one object")
            #expect(!done.stdout.contains("cashu") && !done.stderr.contains("cashu"), "no token is printed")
            await good.stop()

            let busy = try await FakeWorker.advertised(on: relay, mint: mint, script: .reject(.workerBusy))
            let refused = try await Self.loom(
                ["job", "submit", "again", "--worker", busy.key.xOnlyPublicKey.npub, "--seconds", "10"] + common)
            #expect(refused.code == 2, "\(refused.stderr)")
            let rejected = try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any]
            #expect(rejected?["status"] as? String == "rejected")
            #expect((rejected?["error"] as? [String: Any])?["code"] as? String == "worker-busy")
            #expect((rejected?["reclaimed_sat"] as? Int ?? 0) > 0)
            await busy.stop()
        }
    }
}

extension ClientSuites.CLITests.Run {
    /// stdout as one JSON object, or nil.
    var object: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] }
    /// Each stdout line as a JSON object.
    var lines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// A value handed from a reader thread back to the test.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}
