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

@testable import LoomClient

extension ClientSuites {
    /// How the job is paid and what comes back: the worker's failure, a token
    /// passed in, a token locked to the worker.
    @Suite(.serialized)
    struct PaymentFlowTests {
        @Test func failedJobIsBilledForTimeServedAndTheRestComesBack() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            let worker = try await FakeWorker.advertised(
                on: relay, mint: mint, script: .fail(.backendUnavailable, elapsedMs: 1200))
            let client = try await makeClient(relay: relay, mint: mint, sats: 200)
            let before = try await client.wallet!.balance()
            let offer = try await client.directory.offer(of: worker.hex)
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 40), to: offer, paying: .wallet())
            let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
            #expect(outcome.status == .failed)
            #expect(outcome.error?.code == "backend-unavailable")
            let bill = try #require(outcome.bill)
            // The worker's fault: 1.2 s served, no minimum: 3 sat.
            #expect(bill.billedMs == 1200 && bill.chargedSat == 3)
            #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
            let redeemed = try #require(outcome.changeRedeemedSat)
            let after = try await client.wallet!.balance()
            #expect(
                before.value - after.value == job.paymentFee.value + bill.chargedSat.value + bill.mintFeeSat.value
                    + bill.changeSat.value - redeemed.value)
            await worker.stop()
            await client.close()
        }

        @Test func aTokenPassedInPaysAndTheChangeLandsInTheWallet() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(on: relay, mint: mint, script: .complete(text: "ok", elapsedMs: 8000))
            let payer = try await fundedWallet(mint, 64, directory: temporaryDirectory("payer"))
            let token = try await payer.send(50).token
            let client = try await makeClient(relay: relay, mint: mint, sats: 0)
            let offer = try await client.directory.offer(of: worker.hex)
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x")), to: offer, paying: .token(token))
            #expect(job.paidSat == 50 && job.paymentFee == .zero)
            let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
            #expect(outcome.status == .completed)
            // 8 s = 20 sat; 30 back.
            #expect(outcome.changeRedeemedSat == 30)
            #expect(try await client.wallet!.balance() == 30)
            await worker.stop()
            await client.close()
        }

        @Test func aPaymentLockedToTheWorkerIsTakenByItAndNotReclaimable() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(on: relay, mint: mint, script: .complete(text: "ok", elapsedMs: 5000))
            let client = try await makeClient(relay: relay, mint: mint, sats: 100)
            let offer = try await client.directory.offer(of: worker.hex)
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 10), to: offer,
                paying: .wallet(lockToWorker: true))
            #expect(client.journal.load(job.jobID)?.reclaimableToken == nil, "a locked token is not ours to take back")
            // The worker (whose wallet holds its Nostr key) redeems the locked token.
            let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
            #expect(outcome.status == .completed)
            #expect(try await client.wallet!.balance() == Amount(100 - 13))

            await worker.setScript(.reject(.workerBusy))
            let refused = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 10), to: offer,
                paying: .wallet(lockToWorker: true))
            let rejected = try await client.follow(jobID: refused.jobID, worker: refused.worker, timeout: .seconds(180))
            #expect(rejected.status == .rejected && rejected.reclaimedSat == nil)
            #expect(rejected.warnings.contains { $0.contains("locked to the worker") })
            await worker.stop()
            await client.close()
        }
    }
}
