import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing
@testable import LoomWorker

/// The worker's money when the mint misbehaves mid-job (issue 10): a real
/// relay, Nutshell mint, Blossom and the Ollama stub, with a `FaultyMint`
/// between the worker's wallet and the mint.
@Suite(.serialized)
struct MoneyFaultTests {
    /// Defect 1: the payment's swap never reached the mint and the client
    /// spent the token elsewhere before the worker asked. The job is refused
    /// `spent` and never runs — before, it ran unpaid and its "change" came
    /// out of the worker's earnings.
    @Test func aSwapLostWhileTheClientSpendsElsewhereIsRefusedAndNeverRuns() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let faults = FaultyMint(url: h.mint.httpURL)
        let (worker, serving) = try await h.startWorker(h.configuration(), mint: faults)
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)
        let elsewhere = try await h.clientWallet(1)
        faults.fail(.swap, with: .refuseUnsent(status: 502))
        faults.before(.restore) { _ = try? await elsewhere.receive(payment.token) }
        let event = try await h.submit(h.prompt(payment.token))
        let watcher = h.watch(event.id)
        let status = try await watcher.status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.spent.rawValue)
        #expect(!watcher.states.contains(.running))
        #expect(try await h.ollama.stats().paths["/api/generate", default: 0] == 0, "the backend never ran the job")
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.balance() == .zero)
        #expect(try await wallet.audit().ok)
        await worker.shutdown()
        try await serving.value
    }

    /// Defect 2: the change swap's answer is lost and the mint cannot be
    /// asked for a while. The job waits (its status says why), and the retry
    /// finishes the same send: one change token, never two.
    @Test func aLostChangeSwapIsFinishedNotRepeated() async throws {
        let h = try await Harness(inputFeePpk: 100)
        let faults = FaultyMint(url: h.mint.httpURL)
        var config = h.configuration()
        config.retryInterval = .seconds(1)
        let (worker, serving) = try await h.startWorker(config, mint: faults)
        let client = try await h.clientWallet(100)
        let payment = try await client.send(40)
        // The first swap is the payment; the second makes the change.
        faults.before(.swap) {
            faults.fail(.swap, with: .loseAnswer)
            faults.failAlways(.restore, with: .refuseUnsent(status: 503))
        }
        let event = try await h.submit(h.prompt(payment.token))
        let watcher = h.watch(event.id)
        #expect(try await eventually { try worker.journal.job(event.id)?.waiting == WaitingReason.mint })
        #expect(try await eventually { watcher.statuses.contains { $0.status.reason?.code == WaitingReason.mint } },
                "the client is told the job waits on the mint")
        #expect(try worker.journal.job(event.id)?.changeToken == nil)
        faults.reset()
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let sends = try await wallet.history().filter { $0.kind == "send" }
        #expect(sends.count == 1, "one change send for the job: \(sends.map(\.state))")
        #expect(sends.first?.token == result.change)
        #expect(try await client.receive(try #require(result.change)).amount == bill.changeSat)
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == bill.chargedSat)
        #expect(try worker.journal.job(event.id)?.waiting == nil)
        await worker.shutdown()
        try await serving.value
    }

    /// Defect 6: the price is journaled with the job. A job whose change
    /// waits on the mint when the operator restarts with a higher price is
    /// billed at the price it was admitted at.
    @Test func aJobIsBilledAtThePriceItWasAdmittedAt() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let faults = FaultyMint(url: h.mint.httpURL)
        var config = h.configuration()
        let (first, serving) = try await h.startWorker(config, mint: faults)
        let client = try await h.clientWallet(100)
        let payment = try await client.send(40)
        faults.before(.swap) { faults.failAlways(.swap, with: .refuseUnsent(status: 503)) }
        let event = try await h.submit(h.prompt(payment.token))
        let watcher = h.watch(event.id)
        #expect(try await eventually { try first.journal.job(event.id)?.ending != nil && first.journal.job(event.id)?.waiting != nil })
        await first.shutdown()
        try await serving.value

        // Ten times the price, and the mint answers again.
        faults.reset()
        config.rate = Rate(msatPerSecond: 10 * Harness.rate.msatPerSecond, minSeconds: 1, maxSeconds: 60)
        let (second, again) = try await h.startWorker(config, mint: faults)
        let result = try await watcher.result().result
        let bill = try #require(result.bill)
        #expect(bill.msatPerSecond == Harness.rate.msatPerSecond)
        let expected = try Pricing.charge(rate: Harness.rate, billedMs: bill.billedMs, netPaid: 40)
        #expect(bill.chargedSat.value - bill.dustSat.value == expected.value)
        await second.shutdown()
        try await again.value
    }

    /// Defect 15: a payment the mint confirms only after the job's deadline
    /// is not run (the client has given up) but refunded in full, and while
    /// it waits the client is told why.
    @Test func aPaymentConfirmedTooLateIsRefundedInFull() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let faults = FaultyMint(url: h.mint.httpURL)
        var config = h.configuration()
        config.retryInterval = .seconds(1)
        config.paymentDeadline = .seconds(5)
        let (worker, serving) = try await h.startWorker(config, mint: faults)
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)
        faults.fail(.swap, with: .loseAnswer)
        faults.failAlways(.restore, with: .refuseUnsent(status: 503))
        let event = try await h.submit(h.prompt(payment.token))
        let watcher = h.watch(event.id)
        #expect(try await eventually { watcher.statuses.contains { $0.status.status == .received && $0.status.reason?.code == WaitingReason.mint } })
        let record = try #require(try worker.journal.job(event.id))
        // Past the deadline, the mint answers again.
        while Event.now() < record.receivedAt + 6 { try await Task.sleep(for: .milliseconds(200)) }
        faults.reset()
        let result = try await watcher.result().result
        #expect(result.status == .failed)
        #expect(result.error?.code == Worker.paymentLate.code)
        let bill = try #require(result.bill)
        #expect(bill.chargedSat == .zero)
        #expect(bill.changeSat == 30)
        #expect(!watcher.states.contains(.running))
        #expect(try await client.receive(try #require(result.change)).amount == 30)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.balance() == .zero)
        #expect(try await wallet.audit().ok)
        await worker.shutdown()
        try await serving.value
    }

    /// Defect 7 at the worker: the same token in two requests. One job is
    /// paid and runs; the other is refused `spent` without a mint call.
    @Test func theSameTokenInTwoRequestsPaysOnce() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let faults = FaultyMint(url: h.mint.httpURL)
        let (worker, serving) = try await h.startWorker(h.configuration(maxConcurrent: 2), mint: faults)
        let client = try await h.clientWallet(64)
        let payment = try await client.send(20)
        let one = try await h.submit(h.prompt(payment.token))
        let two = try await h.submit(JobRequest(model: Harness.model, input: .prompt("again"), payment: payment.token, lockChange: true))
        let (w1, w2) = (h.watch(one.id), h.watch(two.id))
        #expect(try await eventually { w1.states.contains(where: \.isTerminal) && w2.states.contains(where: \.isTerminal) })
        let finals = [w1, w2].compactMap { $0.statuses.last { $0.status.status.isTerminal } }
        #expect(finals.filter { $0.status.status == .completed }.count == 1)
        #expect(finals.filter { $0.status.status == .rejected && $0.status.reason?.code == "spent" }.count == 1)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        await worker.shutdown()
        try await serving.value
    }

    /// Defect 5 at the worker: a mint that answers every swap with a 5xx
    /// (restore and checkstate still work). Before, the payment looped in
    /// swap ↔ recover forever and shutdown waited for it. Now the job waits
    /// on the mint after a bounded number of tries, and shutdown returns.
    @Test(.timeLimit(.minutes(2)))
    func aMintThatFailsEverySwapHoldsNeitherTheJobNorShutdown() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let faults = FaultyMint(url: h.mint.httpURL)
        let (worker, serving) = try await h.startWorker(h.configuration(), mint: faults)
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)
        faults.failAlways(.swap, with: .refuseUnsent(status: 500))
        let event = try await h.submit(h.prompt(payment.token))
        #expect(try await eventually { try worker.journal.job(event.id)?.waiting == WaitingReason.mint })
        #expect(faults.count(.swap) == Wallet.sendsPerCall)
        await worker.shutdown()
        try await serving.value
        #expect(try worker.journal.job(event.id)?.state == .received, "nothing taken, nothing run: the next start asks the mint again")
    }
}
