import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// Payments locked to the worker, and several paid jobs sharing one wallet.
@Suite(.serialized)
struct PaymentTests {
    @Test func aPaymentLockedToTheWorkerIsTakenOneLockedElsewhereIsRefused() async throws {
        let h = try await Harness(inputFeePpk: 100)
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(100)
        let workerLock = try PublicKey(compressed: [0x02] + h.workerKey.xOnlyPublicKey.bytes)
        let locked = try await client.send(30, lockTo: workerLock)
        let event = try await h.submit(h.prompt(locked.token))
        let result = try await h.watch(event.id).result().result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        #expect(bill.paidSat == 30)
        #expect(try await client.receive(try #require(result.change)).amount == bill.changeSat)

        let someoneElse = try PublicKey(compressed: [0x02] + SecretKey.generate().xOnlyPublicKey.bytes)
        let misdirected = try await client.send(30, lockTo: someoneElse)
        let refused = try await h.submit(h.prompt(misdirected.token))
        let status = try await h.watch(refused.id).status(.rejected)
        #expect(status.status.reason?.code == RequestRejection.Code.wrongLock.rawValue)

        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == bill.chargedSat)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func jobsRunningAtOnceEachGetTheirOwnChange() async throws {
        let h = try await Harness(inputFeePpk: 100)
        let (worker, serving) = try await h.startWorker(h.configuration(maxConcurrent: 3))
        let client = try await h.clientWallet(200)
        var events: [Event] = []
        for amount: UInt64 in [20, 30, 40] {
            let token = try await client.send(Amount(amount))
            events.append(try h.prompt(token.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey))
        }
        let watchers = events.map { h.watch($0.id) }
        for event in events { _ = try await h.clientPool.publish(event) }
        var charged: UInt64 = 0
        for (event, watcher) in zip(events, watchers) {
            let result = try await watcher.result().result
            #expect(result.status == .completed)
            let bill = try #require(result.bill)
            #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
            #expect(try await client.receive(try #require(result.change)).amount == bill.changeSat)
            #expect(try worker.journal.job(event.id)?.chargedSat == bill.chargedSat.value)
            charged += bill.chargedSat.value
        }
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let audit = try await wallet.audit()
        #expect(audit.ok, "\(audit.problems)")
        // Exact when each change swap cost what was estimated (true here: one keyset, fees per proof).
        #expect(try await wallet.balance().value == charged)
        #expect(await worker.snapshot().earningsSat == charged)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
