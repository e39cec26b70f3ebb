import AddressSafety
import Cashu
import CashuWallet
import Foundation
import LoomClient
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// `loom worker run` as a process, killed with SIGKILL mid-job and started
/// again: the job is settled (the output was lost, so nothing is billed),
/// the change delivered.
@Suite(.serialized)
struct CrashRecoveryTests {
    static let binary = TestServer.packageRoot.appendingPathComponent(".build/debug/loom")

    final class WorkerProcess {
        let process = Process()
        let log: URL

        init(environment: [String: String], log: URL) throws {
            self.log = log
            process.executableURL = CrashRecoveryTests.binary
            process.arguments = ["worker", "run"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            if !FileManager.default.fileExists(atPath: log.path) {
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        func kill(_ signal: Int32) { Foundation.kill(process.processIdentifier, signal) }

        /// Waits for the process to end (generously); false if it did not.
        func exited(within limit: Duration = .seconds(60)) async throws -> Bool {
            let deadline = ContinuousClock.now + limit
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            return !process.isRunning
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "needs `swift build` to have built loom"))
    func killedMidJobAndRestartedSettlesTheJob() async throws {
        let reply = Array(repeating: "word", count: 400).joined(separator: " ")
        let h = try await Harness(inputFeePpk: 100, ollamaArguments: ["--tokens-per-second", "5", "--reply", reply])
        let dataDir = h.root.appendingPathComponent("worker-process")
        let environment = [
            "NOSTR_PRIVATE_KEY": h.workerKey.hex, "NOSTR_RELAYS": h.relay.url, "CASHU_MINT_URL": h.mint.httpURL,
            "BLOSSOM_SERVER_URL": h.blossomURL.absoluteString, "OLLAMA_URL": h.ollama.url, "DATA_DIR": dataDir.path,
            "WHITELIST_ENABLED": "false", "PRICE_PER_SECOND": "1", "MIN_JOB_DURATION": "1", "MAX_JOB_DURATION": "60",
            "LOOM_LOG_LEVEL": "debug",
        ]
        let log = h.root.appendingPathComponent("worker.log")
        let first = try WorkerProcess(environment: environment, log: log)
        let journalPath = dataDir.appendingPathComponent("jobs.sqlite").path
        #expect(
            try await eventually {
                FileManager.default.fileExists(atPath: journalPath) && first.output.contains("worker serving")
            },
            "worker did not start:\n\(first.output)")

        let client = try await h.clientWallet(100)
        let payment = try await client.send(50)
        let event = try h.prompt(payment.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        _ = try await watcher.status(.running)
        let journal = try JobJournal(path: journalPath)
        #expect(
            try await eventually { try journal.job(event.id)?.elapsedMs ?? 0 >= 2000 }, "no progress journaled:\n\(first.output)")

        first.kill(SIGKILL)
        #expect(try await first.exited())
        let served = try #require(try journal.job(event.id)).elapsedMs
        #expect(try journal.job(event.id)?.state == .running)

        let second = try WorkerProcess(environment: environment, log: log)
        let result = try await watcher.result().result
        #expect(result.status == .failed)
        #expect(result.error?.code == JobFailure.workerRestarted.code)
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 50)
        // The output died with the process: the time served is reported,
        // nothing is billed (issue 10, defect 8; docs/PROTOCOL.md).
        #expect(bill.elapsedMs == served)
        #expect(bill.billedMs == 0)
        #expect(bill.chargedSat == .zero)
        #expect(result.outputs.isEmpty)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        let change = try #require(result.change)
        let redeemed = try await client.receive(change)
        #expect(redeemed.amount == bill.changeSat)

        // A graceful stop after recovery, and a clean wallet on disk.
        second.kill(SIGTERM)
        #expect(try await second.exited(), "worker did not stop on SIGTERM:\n\(second.output)")
        #expect(!second.output.contains(payment.token), "the token never reaches the log")
        #expect(!second.output.contains(h.workerKey.hex), "the secret key never reaches the log")
        let record = try #require(try journal.job(event.id))
        #expect(record.state == .failed)
        #expect(record.published)

        // `loom worker status` reads the same journal.
        let status = Process()
        status.executableURL = Self.binary
        status.arguments = ["worker", "status", "--data-dir", dataDir.path, "--json"]
        let out = try await ChildProcess.run(status).stdout
        let summary = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        #expect(summary["jobs_done"] as? Int == 1)
        #expect((summary["earnings_sat"] as? NSNumber)?.uint64Value == bill.chargedSat.value)
        let store = try WalletStore(
            path: dataDir.appendingPathComponent("wallets").appendingPathComponent(PaymentDesk.folderName(h.mint.httpURL))
                .appendingPathComponent("wallet.sqlite").path)
        let wallet = try Wallet(store: store, mintURL: h.mint.httpURL)
        let audit = try await wallet.audit()
        #expect(audit.ok, "\(audit.problems)")
        #expect(audit.pendingOperations == 0)
        await h.stop()
    }

    /// Killed inside the payment swap (before the request leaves, or after the
    /// mint answered but before the answer was stored): the restart learns
    /// from the mint what happened, and the job runs with nothing lost.
    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "needs `swift build` to have built loom"),
        arguments: [
            "before-swap-request", "after-swap-response", "worker-after-bill", "worker-after-change",
            "worker-after-result-stored",
        ])
    func killedDuringPaymentOrSettlementAndRestartedLosesNothing(crashAt: String) async throws {
        let h = try await Harness(inputFeePpk: 100)
        let dataDir = h.root.appendingPathComponent("worker-process")
        var environment = [
            "NOSTR_PRIVATE_KEY": h.workerKey.hex, "NOSTR_RELAYS": h.relay.url, "CASHU_MINT_URL": h.mint.httpURL,
            "BLOSSOM_SERVER_URL": h.blossomURL.absoluteString, "OLLAMA_URL": h.ollama.url, "DATA_DIR": dataDir.path,
            "WHITELIST_ENABLED": "false", "PRICE_PER_SECOND": "1", "MIN_JOB_DURATION": "1", "MAX_JOB_DURATION": "60",
            "LOOM_CRASH_AT": crashAt,
        ]
        let log = h.root.appendingPathComponent("worker.log")
        let first = try WorkerProcess(environment: environment, log: log)
        #expect(try await eventually { first.output.contains("worker serving") }, "worker did not start:\n\(first.output)")

        let client = try await h.clientWallet(100)
        let payment = try await client.send(40)
        let event = try h.prompt(payment.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        #expect(try await first.exited(), "the crash hook did not fire:\n\(first.output)")
        let journal = try JobJournal(path: dataDir.appendingPathComponent("jobs.sqlite").path)
        if !crashAt.hasPrefix("worker-") { #expect(try journal.job(event.id)?.state == .received) }

        environment["LOOM_CRASH_AT"] = nil
        let second = try WorkerProcess(environment: environment, log: log)
        let result = try await watcher.result().result
        // Ended before the crash, the job is settled as it ended: same state, same outputs.
        #expect(result.status == .completed)
        #expect(result.outputs.count == 2)
        // The journaled ending kept each blob's key: the outputs still open.
        for output in result.outputs { _ = try await JobClient.fetch(output, dialCheck: DialCheck(allowLocal: true)) }
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 40)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        let redeemed = try await client.receive(try #require(result.change))
        #expect(redeemed.amount == bill.changeSat)

        second.kill(SIGTERM)
        #expect(try await second.exited(), "worker did not stop on SIGTERM:\n\(second.output)")
        let store = try WalletStore(
            path: dataDir.appendingPathComponent("wallets").appendingPathComponent(PaymentDesk.folderName(h.mint.httpURL))
                .appendingPathComponent("wallet.sqlite").path)
        let wallet = try Wallet(store: store, mintURL: h.mint.httpURL)
        let audit = try await wallet.audit()
        #expect(audit.ok, "\(audit.problems)")
        #expect(audit.pendingOperations == 0)
        #expect(try await wallet.balance() == bill.chargedSat)
        await h.stop()
    }

    /// An early job (proofs locked to the worker, started before its swap)
    /// killed before its swap is journaled, or inside the wallet's swap:
    /// the restart swaps the proofs (or learns from the mint that they
    /// were), runs the job again, and nothing is lost.
    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: binary.path), "needs `swift build` to have built loom"),
        arguments: ["worker-early-before-swap-journal", "before-swap-request", "after-swap-response"])
    func anEarlyJobKilledAroundItsSwapRunsAgainAndLosesNothing(crashAt: String) async throws {
        let h = try await Harness(inputFeePpk: 100)
        let dataDir = h.root.appendingPathComponent("worker-process")
        var environment = [
            "NOSTR_PRIVATE_KEY": h.workerKey.hex, "NOSTR_RELAYS": h.relay.url, "CASHU_MINT_URL": h.mint.httpURL,
            "BLOSSOM_SERVER_URL": h.blossomURL.absoluteString, "OLLAMA_URL": h.ollama.url, "DATA_DIR": dataDir.path,
            "WHITELIST_ENABLED": "false", "PRICE_PER_SECOND": "1", "MIN_JOB_DURATION": "1", "MAX_JOB_DURATION": "60",
            "EARLY_ADMISSION": "true", "LOOM_CRASH_AT": crashAt,
        ]
        let log = h.root.appendingPathComponent("worker.log")
        let first = try WorkerProcess(environment: environment, log: log)
        #expect(try await eventually { first.output.contains("worker serving") }, "worker did not start:\n\(first.output)")

        let client = try await h.clientWallet(100)
        let lock = try PublicKey(compressed: [0x02] + h.workerKey.xOnlyPublicKey.bytes)
        let payment = try await client.send(40, lockTo: lock)
        let event = try h.prompt(payment.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        #expect(try await first.exited(), "the crash hook did not fire:\n\(first.output)")

        environment["LOOM_CRASH_AT"] = nil
        let second = try WorkerProcess(environment: environment, log: log)
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 40)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        let redeemed = try await client.receive(try #require(result.change))
        #expect(redeemed.amount == bill.changeSat)
        let Ys = try Token.decode(payment.token).proofs.map { try $0.Y().hex }
        #expect(Set(try await MintClient(url: h.mint.httpURL).checkState(Ys: Ys).map(\.state)) == [.spent])

        second.kill(SIGTERM)
        #expect(try await second.exited(), "worker did not stop on SIGTERM:\n\(second.output)")
        let store = try WalletStore(
            path: dataDir.appendingPathComponent("wallets").appendingPathComponent(PaymentDesk.folderName(h.mint.httpURL))
                .appendingPathComponent("wallet.sqlite").path)
        let wallet = try Wallet(store: store, mintURL: h.mint.httpURL)
        let audit = try await wallet.audit()
        #expect(audit.ok, "\(audit.problems)")
        #expect(audit.pendingOperations == 0)
        #expect(try await wallet.balance() == bill.chargedSat)
        await h.stop()
    }

}
