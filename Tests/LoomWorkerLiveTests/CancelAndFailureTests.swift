import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// Jobs that end early: by the client's cancel (billed for what ran) or by
/// the worker's fault (billed for nothing when nothing ran).
@Suite(.serialized)
struct CancelAndFailureTests {
    static let longReply = Array(repeating: "word", count: 400).joined(separator: " ")

    @Test func cancelMidRunChargesOnlyTheSecondsServed() async throws {
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", Self.longReply])
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(64)
        let payment = try await client.send(60)
        let event = try h.prompt(payment.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        _ = try await watcher.status(.running)
        #expect(try await eventually { try worker.journal.job(event.id)?.elapsedMs ?? 0 >= 1000 })

        // A cancel from anyone but the requester is ignored.
        let stranger = SecretKey.generate()
        _ = try await h.clientPool.publish(
            try JobCancel.sign(requestID: event.id, worker: h.workerKey.xOnlyPublicKey.hex, with: stranger))
        try await Task.sleep(for: .seconds(1))
        #expect(try worker.journal.job(event.id)?.state == .running)

        _ = try await h.clientPool.publish(
            try JobCancel.sign(
                requestID: event.id, worker: h.workerKey.xOnlyPublicKey.hex,
                reason: "enough", with: h.clientKey))
        let result = try await watcher.result().result
        #expect(result.status == .cancelled)
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 60)
        #expect(bill.elapsedMs >= 1000)
        #expect(bill.billedMs < bill.budgetSeconds * 1000, "stopped well before the budget")
        // 1 sat per second, rounded up once: only the seconds served.
        #expect(bill.chargedSat.value == (bill.billedMs + 999) / 1000)
        #expect(bill.changeSat.value == 60 - bill.chargedSat.value)
        let change = try #require(result.change)
        #expect(try await client.receive(change).amount == bill.changeSat)
        // The output served so far is delivered too.
        #expect(!result.outputs.isEmpty)
        let stats = try await h.ollama.stats(waitingUpTo: .seconds(30)) { $0.activeStreams == 0 }
        #expect(stats.activeStreams == 0, "the backend stopped generating")
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == bill.chargedSat)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func modelMissingAndBackendDownRefundInFull() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let (worker, serving) = try await h.startWorker(h.configuration())
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let client = try await h.clientWallet(64)

        // The model goes away after the worker listed it.
        try await h.ollama.control(#"{"models": [{"name": "qwen2.5:0.5b", "size": 1}]}"#)
        let first = try await client.send(20)
        let missing = try await h.submit(h.prompt(first.token))
        let missingResult = try await h.watch(missing.id).result().result
        #expect(missingResult.status == .failed)
        #expect(missingResult.error?.code == JobFailure.modelMissing.code)
        let missingBill = try #require(missingResult.bill)
        #expect(missingBill.chargedSat == .zero)
        #expect(missingBill.changeSat == 20)
        #expect(try await client.receive(try #require(missingResult.change)).amount == 20)

        // The backend is gone.
        try await h.ollama.control(#"{"models": [{"name": "llama3.2:latest", "size": 1}]}"#)
        h.ollama.server.stop()
        let second = try await client.send(20)
        let down = try await h.submit(h.prompt(second.token))
        let downResult = try await h.watch(down.id).result().result
        #expect(downResult.status == .failed)
        #expect(downResult.error?.code == JobFailure.backendUnavailable.code)
        let downBill = try #require(downResult.bill)
        #expect(downBill.chargedSat == .zero)
        #expect(downBill.changeSat == 20)
        #expect(try await client.receive(try #require(downResult.change)).amount == 20)

        #expect(try await wallet.balance() == .zero)
        #expect(try await wallet.audit().ok)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
