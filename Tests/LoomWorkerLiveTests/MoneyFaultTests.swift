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
    /// The parts every test here starts with: the stack, the faults, a
    /// serving worker and a client holding `pay` sat for one job.
    struct Stage {
        let h: Harness
        let faults: FaultyMint
        let worker: Worker
        let serving: Task<Void, any Error>
        let client: Wallet
        let payment: Sent

        init(
            fee: Int = 0, funds: UInt64 = 64, pay: UInt64, configure: (inout WorkerConfiguration) -> Void = { _ in }
        ) async throws {
            h = try await Harness(inputFeePpk: fee)
            faults = FaultyMint(url: h.mint.httpURL)
            var config = h.configuration(maxConcurrent: 2)
            configure(&config)
            (worker, serving) = try await h.startWorker(config, mint: faults)
            client = try await h.clientWallet(funds)
            payment = try await client.send(Amount(pay))
        }

        var wallet: Wallet { get throws { try #require(worker.desk.wallet(h.mint.httpURL)) } }

        /// The first worker only (a test may start a second on the same harness).
        func stopWorker() async throws {
            await worker.shutdown()
            try await serving.value
        }

        func stop() async throws {
            try await stopWorker()
            await h.stop()
        }
    }

    /// Defect 1: the payment's swap never reached the mint and the client
    /// spent the token elsewhere before the worker asked. The job is refused
    /// `spent` and never runs — before, it ran unpaid and its "change" came
    /// out of the worker's earnings.
    @Test func aSwapLostWhileTheClientSpendsElsewhereIsRefusedAndNeverRuns() async throws {
        let s = try await Stage(pay: 30)
        let elsewhere = try await s.h.clientWallet(1)
        s.faults.fail(.swap, with: .refuseUnsent(status: 502))
        s.faults.before(.restore) { [payment = s.payment] in _ = try? await elsewhere.receive(payment.token) }
        let event = try await s.h.submit(s.h.prompt(s.payment.token))
        let watcher = s.h.watch(event.id)
        let status = try await watcher.status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.spent.rawValue)
        #expect(!watcher.states.contains(.running))
        #expect(try await s.h.ollama.stats().paths["/api/generate", default: 0] == 0, "the backend never ran the job")
        #expect(try await s.wallet.balance() == .zero)
        #expect(try await s.wallet.audit().ok)
        try await s.stop()
    }

    /// Defect 2: the change swap's answer is lost and the mint cannot be
    /// asked for a while. The job waits (its status says why), and the retry
    /// finishes the same send: one change token, never two.
    @Test func aLostChangeSwapIsFinishedNotRepeated() async throws {
        let s = try await Stage(fee: 100, funds: 100, pay: 40) { $0.retryInterval = .seconds(1) }
        // The first swap is the payment; the second makes the change.
        s.faults.before(.swap) { [faults = s.faults] in
            faults.fail(.swap, with: .loseAnswer)
            faults.failAlways(.restore, with: .refuseUnsent(status: 503))
        }
        let event = try await s.h.submit(s.h.prompt(s.payment.token))
        let watcher = s.h.watch(event.id)
        #expect(try await eventually { try s.worker.journal.job(event.id)?.waiting == WaitingReason.mint })
        #expect(
            try await eventually { watcher.statuses.contains { $0.status.reason?.code == WaitingReason.mint } },
            "the client is told the job waits on the mint")
        #expect(try s.worker.journal.job(event.id)?.changeToken == nil)
        s.faults.reset()
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        let sends = try await s.wallet.history().filter { $0.kind == "send" }
        #expect(sends.count == 1, "one change send for the job: \(sends.map(\.state))")
        #expect(sends.first?.token == result.change)
        #expect(try await s.client.receive(try #require(result.change)).amount == bill.changeSat)
        #expect(try await s.wallet.audit().ok)
        #expect(try await s.wallet.balance() == bill.chargedSat)
        #expect(try s.worker.journal.job(event.id)?.waiting == nil)
        try await s.stop()
    }

    /// Defect 6: the price is journaled with the job. A job whose change
    /// waits on the mint when the operator restarts with a higher price is
    /// billed at the price it was admitted at.
    @Test func aJobIsBilledAtThePriceItWasAdmittedAt() async throws {
        let s = try await Stage(funds: 100, pay: 40)
        s.faults.before(.swap) { [faults = s.faults] in faults.failAlways(.swap, with: .refuseUnsent(status: 503)) }
        let event = try await s.h.submit(s.h.prompt(s.payment.token))
        let watcher = s.h.watch(event.id)
        #expect(
            try await eventually {
                try s.worker.journal.job(event.id)?.ending != nil && s.worker.journal.job(event.id)?.waiting != nil
            })
        try await s.stopWorker()

        // Ten times the price, and the mint answers again.
        s.faults.reset()
        var config = s.worker.configuration
        config.rate = Rate(msatPerSecond: 10 * Harness.rate.msatPerSecond, minSeconds: 1, maxSeconds: 60)
        let (second, again) = try await s.h.startWorker(config, mint: s.faults)
        let result = try await watcher.result().result
        let bill = try #require(result.bill)
        #expect(bill.msatPerSecond == Harness.rate.msatPerSecond)
        let expected = try Pricing.charge(rate: Harness.rate, billedMs: bill.billedMs, netPaid: 40)
        #expect(bill.chargedSat.value - bill.dustSat.value == expected.value)
        await second.shutdown()
        try await again.value
        await s.h.stop()
    }

    /// Defect 15: a payment the mint confirms only after the job's deadline
    /// is not run (the client has given up) but refunded in full, and while
    /// it waits the client is told why.
    @Test func aPaymentConfirmedTooLateIsRefundedInFull() async throws {
        let s = try await Stage(pay: 30) {
            $0.retryInterval = .seconds(1)
            $0.paymentDeadline = .seconds(5)
        }
        s.faults.fail(.swap, with: .loseAnswer)
        s.faults.failAlways(.restore, with: .refuseUnsent(status: 503))
        let event = try await s.h.submit(s.h.prompt(s.payment.token))
        let watcher = s.h.watch(event.id)
        #expect(
            try await eventually {
                watcher.statuses.contains { $0.status.status == .received && $0.status.reason?.code == WaitingReason.mint }
            })
        let record = try #require(try s.worker.journal.job(event.id))
        // Past the deadline, the mint answers again.
        while Event.now() < record.receivedAt + 6 { try await Task.sleep(for: .milliseconds(200)) }
        s.faults.reset()
        let result = try await watcher.result().result
        #expect(result.status == .failed)
        #expect(result.error?.code == Worker.paymentLate.code)
        let bill = try #require(result.bill)
        #expect(bill.chargedSat == .zero)
        #expect(bill.changeSat == 30)
        #expect(!watcher.states.contains(.running))
        #expect(try await s.client.receive(try #require(result.change)).amount == 30)
        #expect(try await s.wallet.balance() == .zero)
        #expect(try await s.wallet.audit().ok)
        try await s.stop()
    }

    /// Defect 7 at the worker: the same token in two requests. One job is
    /// paid and runs; the other is refused `spent` without a mint call.
    @Test func theSameTokenInTwoRequestsPaysOnce() async throws {
        let s = try await Stage(pay: 20)
        let one = try await s.h.submit(s.h.prompt(s.payment.token))
        let two = try await s.h.submit(
            JobRequest(model: Harness.model, input: .prompt("again"), payment: s.payment.token, lockChange: true))
        let (w1, w2) = (s.h.watch(one.id), s.h.watch(two.id))
        #expect(try await eventually { w1.states.contains(where: \.isTerminal) && w2.states.contains(where: \.isTerminal) })
        let finals = [w1, w2].compactMap { $0.statuses.last { $0.status.status.isTerminal } }
        #expect(finals.filter { $0.status.status == .completed }.count == 1)
        #expect(finals.filter { $0.status.status == .rejected && $0.status.reason?.code == "spent" }.count == 1)
        #expect(try await s.wallet.audit().ok)
        try await s.stop()
    }

    /// Defect 5 at the worker: a mint that answers every swap with a 5xx
    /// (restore and checkstate still work). Before, the payment looped in
    /// swap ↔ recover forever and shutdown waited for it. Now the job waits
    /// on the mint after a bounded number of tries, and shutdown returns.
    @Test(.timeLimit(.minutes(2)))
    func aMintThatFailsEverySwapHoldsNeitherTheJobNorShutdown() async throws {
        let s = try await Stage(pay: 30)
        s.faults.failAlways(.swap, with: .refuseUnsent(status: 500))
        let event = try await s.h.submit(s.h.prompt(s.payment.token))
        #expect(try await eventually { try s.worker.journal.job(event.id)?.waiting == WaitingReason.mint })
        #expect(s.faults.count(.swap) == Wallet.sendsPerCall)
        try await s.stop()
        #expect(
            try s.worker.journal.job(event.id)?.state == .received,
            "nothing taken, nothing run: the next start asks the mint again")
    }
}
