import Cashu
import CashuWallet
import Foundation
import Inference
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// The budget as a hard stop, the queue, and a graceful shutdown.
@Suite(.serialized)
struct LifecycleTests {
    static let longReply = Array(repeating: "word", count: 600).joined(separator: " ")

    @Test func theBackendIsStoppedAtTheBudget() async throws {
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", Self.longReply])
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(20)
        // 1 sat/s: 3 sat buy 3 s, far less than the reply needs.
        let payment = try await client.send(3)
        let event = try await h.submit(h.prompt(payment.token))
        let result = try await h.watch(event.id).result().result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        #expect(bill.budgetSeconds == 3)
        #expect(bill.billedMs == 3000, "billed at the budget, never beyond it")
        #expect(bill.chargedSat == 3)
        #expect(bill.changeSat == .zero)
        #expect(result.change == nil)
        let stats = try await h.ollama.stats(waitingUpTo: .seconds(30)) { $0.activeStreams == 0 }
        #expect(stats.activeStreams == 0)
        #expect(stats.completed == 0, "the generation was cut, not finished")
        // Cancelling the serving task is a graceful shutdown too.
        serving.cancel()
        try await serving.value
        #expect(await !worker.snapshot().accepting)
        await h.stop()
    }

    @Test func shutdownBillsRunningForWhatRanAndRefundsTheQueue() async throws {
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", Self.longReply])
        let (worker, serving) = try await h.startWorker(h.configuration(maxConcurrent: 1, maxQueue: 1))
        let client = try await h.clientWallet(100)
        let firstToken = try await client.send(30), secondToken = try await client.send(30),
            thirdToken = try await client.send(30)

        let first = try await h.submit(h.prompt(firstToken.token))
        let firstWatch = h.watch(first.id)
        _ = try await firstWatch.status(.running)
        // This client wants plain change (no P2PK lock): anyone holding it can redeem it.
        let second = try await h.submit(h.prompt(secondToken.token, lockChange: false))
        let secondWatch = h.watch(second.id)
        let queued = try await secondWatch.status(.queued)
        #expect(queued.status.queuePosition == 1)
        // One running, one queued, queue limit 1: the next is refused before its token is swapped.
        let third = try await h.submit(h.prompt(thirdToken.token))
        let busy = try await h.watch(third.id).status(.rejected)
        #expect(busy.status.reason?.code == RequestRejection.Code.workerBusy.rawValue)
        #expect(try await client.receive(thirdToken.token).amount == 30)
        #expect(await worker.capacity() == .init(maxConcurrent: 1, running: 1, queued: 1, maxQueue: 1))
        #expect(try await eventually { try worker.journal.job(first.id)?.elapsedMs ?? 0 >= 1000 })

        await worker.shutdown(grace: .milliseconds(500))
        try await serving.value

        let running = try await firstWatch.result().result
        #expect(running.status == .failed)
        #expect(running.error?.code == JobFailure.workerShutdown.code)
        let runningBill = try #require(running.bill)
        #expect(runningBill.elapsedMs >= 1000)
        #expect(runningBill.billedMs == runningBill.elapsedMs, "the worker's fault: no minimum")
        #expect(runningBill.chargedSat.value == (runningBill.elapsedMs + 999) / 1000)

        let waiting = try await secondWatch.result().result
        #expect(waiting.status == .failed)
        #expect(waiting.error?.code == JobFailure.workerShutdown.code)
        #expect(waiting.bill?.chargedSat == .zero)
        #expect(waiting.bill?.changeSat == 30)
        let plainChange = try #require(waiting.change)
        #expect(try Token.decode(plainChange).proofs.allSatisfy { !$0.secret.hasPrefix("[") }, "not locked")
        #expect(try await client.receive(plainChange).amount == 30)

        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == runningBill.chargedSat)
        await h.stop()
    }

    /// The service group's stop, as SIGTERM starts it (`WorkerService.shutdown()`
    /// triggers the same): the offer goes offline, the queue is refunded, the
    /// running job finishes within the grace, and the relays carry every
    /// result until the end (a WebSocket that followed the group's graceful
    /// shutdown closed at once and lost them).
    @Test func theServiceGroupStopsTheWorkerInOrder() async throws {
        let reply = Array(repeating: "word", count: 40).joined(separator: " ")
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "10", "--reply", reply])
        var config = h.configuration(maxConcurrent: 1)
        config.shutdownGrace = .seconds(30)
        let service = try WorkerService(
            configuration: config, backend: OllamaBackend(baseURL: h.ollama.url), version: "test",
            logger: Harness.logger, gracefulShutdownSignals: [])
        let serving = Task { try await service.run() }
        try await Task.sleep(for: .seconds(1))
        let client = try await h.clientWallet(100)
        let firstToken = try await client.send(30), secondToken = try await client.send(30)
        let first = try await h.submit(h.prompt(firstToken.token))
        let firstWatch = h.watch(first.id)
        _ = try await firstWatch.status(.running)
        let second = try await h.submit(h.prompt(secondToken.token))
        let secondWatch = h.watch(second.id)
        _ = try await secondWatch.status(.queued)
        #expect(await service.advertiser.current?.accepting == true)

        await service.shutdown()
        try await serving.value

        #expect(await service.advertiser.current?.accepting == false, "the offline offer went out")
        #expect(await !service.worker.snapshot().accepting)
        let running = try await firstWatch.result().result
        #expect(running.status == .completed, "finished within the grace")
        let queued = try await secondWatch.result().result
        #expect(queued.status == .failed)
        #expect(queued.error?.code == JobFailure.workerShutdown.code)
        #expect(queued.bill?.changeSat == 30, "refunded in full")
        await h.stop()
    }

    @Test func aQueuedJobCancelledByItsClientNeverRuns() async throws {
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", Self.longReply])
        let (worker, serving) = try await h.startWorker(h.configuration(maxConcurrent: 1))
        let client = try await h.clientWallet(100)
        let firstToken = try await client.send(30), secondToken = try await client.send(30)
        let first = try await h.submit(h.prompt(firstToken.token))
        _ = try await h.watch(first.id).status(.running)
        let second = try await h.submit(h.prompt(secondToken.token))
        let watcher = h.watch(second.id)
        _ = try await watcher.status(.queued)
        _ = try await h.clientPool.publish(
            try JobCancel.sign(
                requestID: second.id, worker: h.workerKey.xOnlyPublicKey.hex,
                with: h.clientKey))
        let result = try await watcher.result().result
        #expect(result.status == .cancelled)
        let bill = try #require(result.bill)
        #expect(bill.elapsedMs == 0)
        // The client chose to stop: a normal end, so the 1-s minimum applies.
        #expect(bill.billedMs == 1000)
        #expect(bill.chargedSat == 1)
        #expect(bill.changeSat == 29)
        #expect(!watcher.states.contains(.running))
        let stats = try await h.ollama.stats()
        #expect(stats.paths["/api/generate", default: 0] == 1, "only the first job reached the backend")
        await worker.shutdown(grace: .milliseconds(100))
        try await serving.value
        await h.stop()
    }
}
