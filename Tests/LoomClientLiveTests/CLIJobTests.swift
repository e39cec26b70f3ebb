import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

extension ClientSuites {
    /// The job's life through the binary: sent without waiting, picked up by
    /// `watch` (as after a crash of the submitting process), cancelled, timed out.
    @Suite(.serialized)
    struct CLIJobTests {
        struct Setup {
            let relay: TestRelay
            let mint: TestServer
            let dir: URL
            var common: [String] { ["--relay", relay.url, "--data-dir", dir.path] }
            var paying: [String] { common + ["--mint", mint.httpURL] }

            func balance() async throws -> Int? {
                let r = try await CLITests.loom(["wallet", "balance", "--json", "--data-dir", dir.path, "--mint", mint.httpURL])
                return r.object?["balance"] as? Int
            }
        }

        static func setup(sats: UInt64, fees: Int = 0) async throws -> Setup {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: fees)
            let dir = temporaryDirectory("cli")
            _ = try await fundedWallet(mint, sats, directory: dir)
            return Setup(relay: relay, mint: mint, dir: dir)
        }

        static func worker(_ s: Setup, _ script: FakeWorker.Script) async throws -> FakeWorker {
            try await FakeWorker.advertised(on: s.relay, mint: s.mint, script: script)
        }

        /// A worker that does not advertise `max_input_bytes` (this fake, like
        /// an older loom) takes no input blobs: an input too large for its
        /// requests is refused before anything is paid, saying what to do.
        @Test func anOversizeInputIsRefusedBeforePaying() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .complete(text: "never", elapsedMs: 1000))
            let file = s.dir.appendingPathComponent("document.txt")
            try String(repeating: "A long line of a long document.\n", count: 4_000).write(
                to: file, atomically: true, encoding: .utf8)
            let r = try await CLITests.loom(
                ["job", "submit", "--file", file.path, "--seconds", "5", "--model", "llama3.2:3b"] + s.paying)
            #expect(r.code == 1)
            #expect(
                r.stderr.contains("reads at most 65536 and takes no input blobs")
                    && r.stderr.contains("choose a worker that takes a document blob; nothing was paid"), "\(r.stderr)")
            #expect(try await s.balance() == 100)
            #expect(await worker.requests.isEmpty)
            await worker.stop()
        }

        @Test func watchPicksUpAJobSentWithoutWaiting() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .complete(text: "resumed", elapsedMs: 6000))
            // Running until the watcher below has subscribed (a process start, well
            // under the hold): one that came after the end would see only the outcome.
            await worker.setHoldEnd(.seconds(5))
            let sent = try await CLITests.loom(
                ["job", "submit", "--no-wait", "--json", "--seconds", "10", "--model", "llama3.2:3b"] + s.paying,
                stdin: "a prompt from stdin")
            #expect(sent.code == 0, "\(sent.stderr)")
            #expect(sent.object?["status"] as? String == "submitted")
            let nevent = try #require(sent.object?["nevent"] as? String)
            let jobID = try #require(sent.object?["job_id"] as? String)
            #expect(try await s.balance() == 75)

            // The journal lists it with its model; the payment token is still ours to reclaim, and is not shown.
            let listed = try await CLITests.loom(["job", "list", "--json", "--data-dir", s.dir.path])
            let entry = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            #expect(
                entry?.first?["job_id"] as? String == jobID && entry?.first?["model"] as? String == "llama3.2:3b",
                "\(listed.stdout)")
            #expect(entry?.first?["stage"] as? String == "submitted" && entry?.first?["has_reclaimable_token"] as? Bool == true)
            #expect(!listed.stdout.contains("cashu"))

            // The prompt came from stdin (the argument was absent and stdin is a pipe).
            await eventually { await worker.requests.count == 1 }
            #expect(await worker.requests.first?.request.input == .prompt("a prompt from stdin"))

            let watched = try await CLITests.loom(["job", "watch", nevent, "--json", "--timeout", "180"] + s.common)
            #expect(watched.code == 0, "\(watched.stderr)")
            let lines = watched.lines
            #expect(lines.count >= 2, "status lines, then the outcome: \(watched.stdout)")
            #expect(lines.dropLast().allSatisfy { $0["job_id"] as? String == jobID && $0["status"] != nil })
            let outcome = try #require(lines.last)
            #expect(outcome["status"] as? String == "completed")
            #expect(outcome["output"] as? String == nil, "no Blossom server in this test, so no output")
            // 25 sat paid for 10 s; 6 s = 15 sat charged, 10 sat returned, no fees at this mint.
            #expect(outcome["change_redeemed_sat"] as? Int == 10)
            #expect(try await s.balance() == 85)
            let settled = try await CLITests.loom(["job", "list", "--json", "--data-dir", s.dir.path])
            let after = try JSONSerialization.jsonObject(with: Data(settled.stdout.utf8)) as? [[String: Any]]
            #expect(after?.first?["stage"] as? String == "settled" && after?.first?["last_state"] as? String == "completed")
            #expect(after?.first?["money_in_flight"] as? Bool == false, "\(settled.stdout)")

            // Watching again settles nothing twice.
            let again = try await CLITests.loom(["job", "watch", jobID, "--json", "--timeout", "180"] + s.common)
            #expect(again.code == 0)
            #expect(again.lines.last?["change_redeemed_sat"] is NSNull)
            #expect(try await s.balance() == 85)

            // A stranger (another key) follows the public statuses only, and ends at the final one.
            let stranger = try await CLITests.loom([
                "job", "watch", jobID, "--json", "--timeout", "180", "--relay", s.relay.url,
                "--data-dir", temporaryDirectory("stranger").path,
            ])
            #expect(stranger.code == 0, "\(stranger.stderr)")
            #expect(stranger.lines.last?["status"] as? String == "completed")
            #expect(stranger.lines.last?["bill"] is NSNull)
            await worker.stop()
        }

        /// `--json` describes an output by its content (sha256, size, type)
        /// and says it was encrypted; the key is never printed. An output
        /// that fails its checks is a warning on stderr that names the fault,
        /// and the money settles as for any completed job.
        @Test func outputsAreDecryptedAndTheirKeysNeverPrinted() async throws {
            let s = try await Self.setup(sats: 100)
            try await withBlossomServer { blossom in
                let text = "decrypted for you"
                let worker = try await FakeWorker.advertised(
                    on: s.relay, mint: s.mint, script: .complete(text: text, elapsedMs: 6000),
                    blossom: blossom)
                let args = ["job", "submit", "hi", "--seconds", "10", "--model", "llama3.2:3b", "--timeout", "180"] + s.paying
                let r = try await CLITests.loom(args + ["--json"])
                #expect(r.code == 0, "\(r.stderr)")
                #expect(r.object?["output"] as? String == text)
                let outputs = try #require(r.object?["outputs"] as? [[String: Any]], "\(r.stdout)")
                #expect(outputs.count == 1)
                #expect(outputs.first?["encrypted"] as? Bool == true && outputs.first?["downloaded"] as? Bool == true)
                #expect(outputs.first?["sha256"] as? String == BlobEncryption.sha256Hex(Data(text.utf8)))
                #expect(outputs.first?["size"] as? Int == text.utf8.count && outputs.first?["type"] as? String == "text/plain")
                let key = try #require(await worker.lastOutputs.first?.encryption?.key)
                #expect(!r.stdout.contains(key) && !r.stderr.contains(key))
                #expect((r.object?["warnings"] as? [String])?.isEmpty == true, "\(r.stdout)")
                // 25 sat for 10 s, 6 s charged (15 sat), no fees at this mint.
                #expect(try await s.balance() == 85)

                await worker.setTamper(.otherBlob)
                let spoiled = try await CLITests.loom(args)
                #expect(spoiled.code == 0, "\(spoiled.stderr)")
                #expect(spoiled.stdout.isEmpty, "nothing undecryptable is shown as the output: \(spoiled.stdout)")
                #expect(spoiled.stderr.contains("warning: output text/plain at "), "\(spoiled.stderr)")
                #expect(spoiled.stderr.contains("refused: the blob does not decrypt with the result's key"), "\(spoiled.stderr)")
                #expect(spoiled.stderr.contains("completed; paid 25 sat, charged 15"), "\(spoiled.stderr)")
                #expect(try await s.balance() == 70)
                await worker.stop()
            }
        }

        @Test func cancelThroughTheCommandEndsWithExitCode4() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .runUntilCancelled)
            let sent = try await CLITests.loom(
                ["job", "submit", "go", "--no-wait", "--json", "--seconds", "20", "--worker", worker.key.xOnlyPublicKey.npub]
                    + s.paying)
            let jobID = try #require(sent.object?["job_id"] as? String, "\(sent.stderr)")
            await eventually { await worker.requests.count == 1 }

            let cancelled = try await CLITests.loom(["job", "cancel", jobID, "--json", "--reason", "enough"] + s.common)
            #expect(cancelled.code == 0, "\(cancelled.stderr)")
            await eventually { await !worker.cancels.isEmpty }
            let cancel = try #require(await worker.cancels.first)
            #expect(cancel.requestID == jobID && cancel.reason == "enough")
            #expect(cancelled.object?["cancel_event"] as? String == cancel.eventID)

            let watched = try await CLITests.loom(["job", "watch", jobID, "--json", "--timeout", "180"] + s.common)
            #expect(watched.code == 4, "\(watched.stderr)")
            #expect(watched.lines.last?["status"] as? String == "cancelled")
            // 50 sat paid, 5-s minimum billed (13 sat), 37 back.
            #expect(try await s.balance() == 87)
            await worker.stop()
        }

        @Test func aSilentWorkerTimesOutWithExitCode5AndThePaymentComesBack() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .silent)
            let r = try await CLITests.loom(
                ["job", "submit", "hello?", "--json", "--seconds", "10", "--timeout", "3", "--model", "llama3.2:3b"] + s.paying)
            #expect(r.code == 5, "\(r.stderr)")
            #expect(r.object?["status"] as? String == "timeout")
            #expect(r.object?["reclaimed_sat"] as? Int == 25)
            // Every documented key is present, null when there is nothing to say.
            for key in [
                "job_id", "nevent", "worker", "status", "output", "outputs", "usage", "bill", "change_redeemed_sat", "error",
            ] {
                #expect(r.object?.keys.contains(key) == true, "missing \(key): \(r.stdout)")
            }
            #expect(try await s.balance() == 100)
            await worker.stop()
        }

        /// On a terminal the progress is one line on stderr, redrawn in place.
        /// `script` gives the command a pseudo-terminal.
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
        func aTerminalSeesALiveProgressLine() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .complete(text: "tty", elapsedMs: 5000))
            let arguments =
                [CLITests.binary, "job", "submit", "hi", "--seconds", "10", "--model", "llama3.2:3b", "--timeout", "180"]
                + s.paying
            let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            let r = try await CLITests.run("/usr/bin/script", ["-qec", command, "/dev/null"])
            #expect(r.code == 0, "\(r.stdout)")
            #expect(r.stdout.contains("\r\u{1B}[K"), "\(r.stdout.debugDescription)")
            #expect(r.stdout.contains(" tokens · "), "\(r.stdout.debugDescription)")
            #expect(r.stdout.contains("completed; paid 25 sat"), "\(r.stdout.debugDescription)")
            await worker.stop()
        }

        @Test func budgetBelowTheMinimumAndTooManySecondsAreRefusedBeforePaying() async throws {
            let s = try await Self.setup(sats: 100)
            let worker = try await Self.worker(s, .complete(text: "x", elapsedMs: 1000))
            let small = try await CLITests.loom(["job", "submit", "x", "--budget", "5", "--model", "llama3.2:3b"] + s.paying)
            #expect(small.code == 1)
            #expect(small.stderr.contains("does not buy"), "\(small.stderr)")
            let long = try await CLITests.loom(["job", "submit", "x", "--seconds", "601", "--model", "llama3.2:3b"] + s.paying)
            #expect(long.code == 1)
            #expect(long.stderr.contains("sells at most 600 s"), "\(long.stderr)")
            #expect(try await s.balance() == 100)
            await worker.stop()
        }
    }
}
