import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport
import NIOConcurrencyHelpers
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// Early admission (issue 18): a payment locked to the worker alone with
/// DLEQ proofs starts its job before the mint's swap; every other payment,
/// and every refusal, behaves as before. Real relay, Nutshell mint, Blossom
/// and the Ollama stub, a `FaultyMint` in front of the worker's wallet; the
/// money is checked at the mint.
@Suite(.serialized)
struct EarlyAdmissionTests {
    struct Stage {
        let h: Harness
        let faults: FaultyMint
        let worker: Worker
        let serving: Task<Void, any Error>
        let client: Wallet

        init(funds: UInt64 = 128) async throws {
            h = try await Harness()
            faults = FaultyMint(url: h.mint.httpURL)
            (worker, serving) = try await h.startWorker(h.configuration(maxConcurrent: 2), mint: faults)
            client = try await h.clientWallet(funds)
        }

        var workerLock: PublicKey { get throws { try PublicKey(compressed: [0x02] + h.workerKey.xOnlyPublicKey.bytes) } }
        var wallet: Wallet { get throws { try #require(worker.desk.wallet(h.mint.httpURL)) } }

        /// The mint's own word on a token's proofs.
        func states(_ token: String) async throws -> Set<ProofState.State> {
            let Ys = try Token.decode(token).proofs.map { try $0.Y().hex }
            return Set(try await MintClient(url: h.mint.httpURL).checkState(Ys: Ys).map(\.state))
        }

        func stop() async throws {
            await worker.shutdown()
            try await serving.value
            await h.stop()
        }
    }

    /// The swap is held until the client has seen the job running: only an
    /// early admission gets there. Then it pays and settles as any job.
    @Test func aLockedPaymentWithDLEQRunsBeforeItsSwapAndSettles() async throws {
        let s = try await Stage()
        let locked = try await s.client.send(30, lockTo: try s.workerLock)
        let sawRunning = NIOLockedValueBox(false), swapAfterRunning = NIOLockedValueBox<Bool?>(nil)
        s.faults.before(.swap) {
            let deadline = ContinuousClock.now + .seconds(20)
            while !sawRunning.withLockedValue({ $0 }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            swapAfterRunning.withLockedValue { $0 = sawRunning.withLockedValue { $0 } }
        }
        let event = try await s.h.submit(s.h.prompt(locked.token, maxSeconds: 3))
        let watcher = s.h.watch(event.id)
        _ = try await watcher.status(.running)
        sawRunning.withLockedValue { $0 = true }
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        #expect(swapAfterRunning.withLockedValue { $0 } == true, "the job ran before its swap left")
        // Nothing signed on the way to the backend: the first status is `running`.
        #expect(watcher.states.first == .running, "\(watcher.states)")
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 30)
        #expect(try await s.client.receive(try #require(result.change)).amount == bill.changeSat)
        #expect(await s.worker.earlyAdmitted == 1)
        #expect(try await s.states(locked.token) == [.spent])
        #expect(try await s.wallet.balance() == bill.chargedSat)
        #expect(try await s.wallet.audit().ok)
        #expect(try s.worker.journal.job(event.id)?.state == .completed)
        try await s.stop()
    }

    /// The mint refuses the swap a second after the job started: the job
    /// stops, is refused `spent`, and the worker holds nothing. The proofs
    /// were never swapped (the refusal was the fault's), so the mint still
    /// has them unspent.
    @Test func aSwapRefusedAfterTheStartStopsTheJobAndTakesNothing() async throws {
        let s = try await Stage()
        let locked = try await s.client.send(30, lockTo: try s.workerLock)
        s.faults.fail(.swap, with: .refuseAfter(.seconds(1), .alreadySpent("injected: already spent")))
        let event = try await s.h.submit(s.h.prompt(locked.token, maxSeconds: 30))
        let watcher = s.h.watch(event.id)
        let status = try await watcher.status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.spent.rawValue)
        #expect(watcher.states.contains(.running), "it had started")
        #expect(try await s.h.ollama.stats().paths["/api/generate", default: 0] == 1)
        #expect(await s.worker.earlyAdmitted == 1)
        #expect(try s.worker.journal.job(event.id)?.state == .rejected)
        #expect(try await s.wallet.balance() == .zero)
        #expect(try await s.wallet.audit().ok)
        #expect(try await s.states(locked.token) == [.unspent])
        // No result is ever published for a refused job.
        await #expect(throws: WaitFailure.self) { try await watcher.result(within: .seconds(2)) }
        try await s.stop()
    }

    /// The same locked proofs in a second request: the first pays, the
    /// second is refused `spent` by the wallet's journal before anything runs.
    @Test func aReplayedLockedTokenIsRefusedBeforeItRuns() async throws {
        let s = try await Stage()
        let locked = try await s.client.send(30, lockTo: try s.workerLock)
        let first = try await s.h.submit(s.h.prompt(locked.token, maxSeconds: 2))
        let paid = try await s.h.watch(first.id).result().result
        #expect(paid.status == .completed)
        let calls = try await s.h.ollama.stats().paths["/api/generate", default: 0]
        let second = try await s.h.submit(s.h.prompt(locked.token, maxSeconds: 2))
        let status = try await s.h.watch(second.id).status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.spent.rawValue)
        #expect(try await s.h.ollama.stats().paths["/api/generate", default: 0] == calls, "the replay never ran")
        let charged = try #require(paid.bill).chargedSat
        #expect(try await s.wallet.balance() == charged)
        #expect(try await s.wallet.audit().ok)
        try await s.stop()
    }

    /// The same locked proofs in two requests sent together, with two free
    /// slots: the wallet's hold on the first (taken on the way to the
    /// backend, before anything is written) refuses the second `spent`, and
    /// only one job ever reaches the backend.
    @Test func oneLockedTokenInTwoRequestsAtOnceRunsOnce() async throws {
        let s = try await Stage()
        let locked = try await s.client.send(30, lockTo: try s.workerLock)
        async let first = s.h.submit(s.h.prompt(locked.token, maxSeconds: 2))
        async let second = s.h.submit(s.h.prompt(locked.token, maxSeconds: 2))
        let watchers = try await [first, second].map { s.h.watch($0.id) }
        // One ends refused, the other with a result; which is which is the relay's order.
        let deadline = ContinuousClock.now + .seconds(90)
        func ended(_ w: Watcher) -> Bool { w.states.contains(.rejected) || w.states.contains(.completed) }
        while !watchers.allSatisfy(ended), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        var completed: [JobResult] = [], refused: [String?] = []
        for watcher in watchers {
            if watcher.states.contains(.rejected) {
                refused.append(try await watcher.status(.rejected).status.reason?.code)
            } else {
                completed.append(try await watcher.result().result)
            }
        }
        #expect(completed.count == 1)
        #expect(refused == [RequestRejection.Code.spent.rawValue])
        #expect(try await s.h.ollama.stats().paths["/api/generate", default: 0] == 1)
        let charged = try #require(completed.first?.bill).chargedSat
        #expect(try await s.wallet.balance() == charged)
        #expect(try await s.wallet.audit().ok)
        #expect(try await s.states(locked.token) == [.spent])
        try await s.stop()
    }

    /// A lock whose refund opens too soon, and an unlocked token, take the
    /// swap-first path: they run and pay, and nothing is admitted early.
    @Test func aShortLocktimeAndAnUnlockedTokenAreSwappedFirst() async throws {
        let s = try await Stage()
        let refund = try PublicKey(compressed: [0x02] + s.h.clientKey.xOnlyPublicKey.bytes)
        let soon = P2PKConditions(data: try s.workerLock, locktime: UInt64(Event.now() + 60), refundKeys: [refund])
        for token in [try await s.client.send(20, lock: soon).token, try await s.client.send(20).token] {
            let event = try await s.h.submit(s.h.prompt(token, maxSeconds: 2))
            let result = try await s.h.watch(event.id).result().result
            #expect(result.status == .completed)
            #expect(try await s.states(token) == [.spent])
        }
        #expect(await s.worker.earlyAdmitted == 0)
        #expect(try await s.wallet.audit().ok)
        try await s.stop()
    }

    /// A DLEQ proof that does not verify is refused `invalid-dleq` offline:
    /// nothing runs and the mint still has the proofs unspent.
    @Test func aBrokenDLEQIsRefusedAndNothingRuns() async throws {
        let s = try await Stage()
        let locked = try await s.client.send(30, lockTo: try s.workerLock)
        var token = try Token.decode(locked.token)
        var dleq = try #require(token.proofs[0].dleq)
        (dleq.e, dleq.s) = (dleq.s, dleq.e)
        token.proofs[0].dleq = dleq
        let broken = try token.serializedV4()
        let event = try await s.h.submit(s.h.prompt(broken, maxSeconds: 2))
        let status = try await s.h.watch(event.id).status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.invalidDLEQ.rawValue)
        #expect(try await s.h.ollama.stats().paths["/api/generate", default: 0] == 0)
        #expect(await s.worker.earlyAdmitted == 0)
        #expect(try await s.states(locked.token) == [.unspent])
        try await s.stop()
    }
}
