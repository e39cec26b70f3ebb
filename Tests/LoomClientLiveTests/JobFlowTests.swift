import Blossom
import BlossomClient
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
    /// Submit → follow → settle against a real relay, a real mint (fees on) and
    /// a scripted worker with its own wallet.
    @Suite(.serialized)
    struct JobFlowTests {
        @Test func completedJobDownloadsOutputAndRedeemsChange() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            try await withBlossomServer { blossom in
                let worker = try await FakeWorker.advertised(
                    on: relay, mint: mint, script: .complete(text: "The sky scatters blue light.", elapsedMs: 7300),
                    blossom: blossom)
                let client = try await makeClient(relay: relay, mint: mint, sats: 200)
                let before = try await client.wallet!.balance()

                let offer = try await client.directory.cheapest(model: "llama3.2:3b", mint: mint.httpURL)
                #expect(offer.worker == worker.hex)
                let job = try await client.submit(
                    JobOrder(model: "llama3.2:3b", input: .prompt("Why is the sky blue?"), seconds: 20),
                    to: offer, paying: .wallet())
                #expect(client.journal.load(job.jobID)?.stage == .submitted)
                let seen = ProgressLog()
                let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180)) {
                    seen.add($0)
                }

                #expect(outcome.status == .completed)
                #expect(outcome.output == "The sky scatters blue light.")
                #expect(outcome.outputs.count == 1 && outcome.outputs[0].data != nil)
                #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
                // What Blossom holds is ciphertext; the result alone says how to read it.
                let descriptor = outcome.outputs[0].descriptor
                #expect(descriptor.encryption?.algorithm == "aes-256-gcm")
                let stored = try await BlossomClient(servers: [blossom]).download(try #require(descriptor.blobSha256))
                #expect(!String(decoding: stored, as: UTF8.self).contains("sky"))
                #expect(descriptor.sha256 == BlobEncryption.sha256Hex(Data("The sky scatters blue light.".utf8)))
                let bill = try #require(outcome.bill)
                #expect(bill.paidSat == job.paidSat)
                // 7.3 s at 2.5 sat/s = 18.25 → 19 sat.
                #expect(bill.chargedSat == 19)
                let redeemed = try #require(outcome.changeRedeemedSat)
                #expect(redeemed > .zero)
                // Everything that left the wallet: the token's own swap fee, the
                // charge, the fees the worker paid the mint, and the fee of
                // redeeming the change.
                let after = try await client.wallet!.balance()
                let changeFee = bill.changeSat.value - redeemed.value
                #expect(
                    before.value - after.value == job.paymentFee.value + bill.chargedSat.value + bill.mintFeeSat.value + changeFee
                )
                #expect(seen.states.contains(.running))
                let journaled = try #require(client.journal.load(job.jobID))
                #expect(journaled.stage == .settled && journaled.pendingChange == nil && journaled.reclaimableToken == nil)
                let audit = try await client.wallet!.audit()
                #expect(audit.ok, "\(audit.problems)")
                await worker.stop()
                await client.close()
            }
        }

        /// Outputs the client must not show (another blob, another content
        /// hash, an algorithm it does not know) are refused with the reason,
        /// and the bill and the change settle as for any completed job. A
        /// clear-text output, as older workers stored them, is shown with a
        /// warning that it was public.
        @Test func spoiledOutputsAreRefusedAndTheMoneyStillSettles() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            try await withBlossomServer { blossom in
                let worker = try await FakeWorker.advertised(
                    on: relay, mint: mint, script: .complete(text: "a private answer", elapsedMs: 6000),
                    blossom: blossom)
                let client = try await makeClient(relay: relay, mint: mint, sats: 400)
                let offer = try await client.directory.offer(of: worker.hex)
                let cases: [(FakeWorker.Tamper, String)] = [
                    (.otherBlob, "aes-256-gcm authentication failed"),
                    (.wrongContentHash, "the decrypted output hashes to"),
                    (.unknownAlgorithm, "encrypted with \"chacha20-poly1305\", which this client cannot decrypt"),
                    (.clearText, "stored on Blossom in clear text"),
                ]
                for (tamper, warning) in cases {
                    await worker.setTamper(tamper)
                    let before = try await client.wallet!.balance()
                    let job = try await client.submit(
                        JobOrder(model: "llama3.2:3b", input: .prompt("tell me"), seconds: 10),
                        to: offer, paying: .wallet())
                    let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
                    #expect(outcome.status == .completed)
                    // Bytes other than the result names are misconduct: the
                    // worker's record gets a finding, and the user is told.
                    let finding = tamper == .wrongContentHash ? ["(output-altered)"] : []
                    #expect(
                        outcome.warnings.count == 1 + finding.count && outcome.warnings[0].contains(warning)
                            && zip(outcome.warnings.dropFirst(), finding).allSatisfy { $0.contains($1) },
                        "\(tamper): \(outcome.warnings)")
                    if tamper == .clearText {
                        #expect(outcome.output == "a private answer")
                    } else {
                        #expect(
                            outcome.output == nil && outcome.outputs.count == 1 && outcome.outputs[0].data == nil, "\(tamper)")
                    }
                    // The money is untouched by what happened to the outputs.
                    let bill = try #require(outcome.bill)
                    #expect(bill.chargedSat == 15)
                    let redeemed = try #require(outcome.changeRedeemedSat)
                    let after = try await client.wallet!.balance()
                    let changeFee = bill.changeSat.value - redeemed.value
                    #expect(
                        before.value - after.value == job.paymentFee.value + bill.chargedSat.value + bill.mintFeeSat.value
                            + changeFee)
                    #expect(client.journal.load(job.jobID)?.stage == .settled)
                }
                let audit = try await client.wallet!.audit()
                #expect(audit.ok, "\(audit.problems)")
                await worker.stop()
                await client.close()
            }
        }

        @Test func rejectedJobGivesThePaymentBack() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(on: relay, mint: mint, script: .reject(.workerBusy))
            let client = try await makeClient(relay: relay, mint: mint, sats: 100)
            let offer = try await client.directory.offer(of: worker.hex)
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("hello"), seconds: 10), to: offer, paying: .wallet())
            #expect(try await client.wallet!.balance() == Amount(100 - job.paidSat.value))

            let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
            #expect(outcome.status == .rejected)
            #expect(outcome.error?.code == "worker-busy")
            #expect(outcome.reclaimedSat == job.paidSat)
            #expect(try await client.wallet!.balance() == 100, "no fees at this mint: every sat is back")
            #expect(client.journal.load(job.jobID)?.stage == .settled)
            await worker.stop()
            await client.close()
        }

        @Test func cancelPublishesAValidCancelAndEndsTheJob() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(on: relay, mint: mint, script: .runUntilCancelled)
            let client = try await makeClient(relay: relay, mint: mint, sats: 100)
            let offer = try await client.directory.offer(of: worker.hex)
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("count forever"), seconds: 30), to: offer, paying: .wallet())

            let following = Task { try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180)) }
            // Cancel once the job runs, as a user watching the progress would.
            await eventually { await worker.requests.count == 1 }
            let cancelEvent = try await client.cancel(jobID: job.jobID, reason: "changed my mind")
            let parsed = try JobCancel.parse(cancelEvent)
            #expect(parsed.requestID == job.jobID && parsed.worker == worker.hex && parsed.author == client.pubkey)
            #expect(parsed.reason == "changed my mind")

            let outcome = try await following.value
            #expect(outcome.status == .cancelled)
            let received = await worker.cancels
            #expect(received.contains { $0.eventID == cancelEvent.id })
            // Billed as a normal end: the 5-s minimum, 12.5 → 13 sat.
            #expect(outcome.bill?.chargedSat == 13)
            #expect(try await client.wallet!.balance() == Amount(100 - 13))
            await worker.stop()
            await client.close()
        }

        /// The worker reads requests on its own relay only; the client uses
        /// another. The request must reach the worker's relay, and the
        /// answers come back on the client's (named in the `relays` tag), or,
        /// from a worker that ignores the tag, are read on the worker's relay.
        @Test(arguments: [true, false])
        func aWorkerOnAnotherRelayIsReached(honoursRelaysTag: Bool) async throws {
            let workerRelay = try await TestRelay(maxEventSize: 65536)
            let clientRelay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try FakeWorker(
                relay: workerRelay.url, mint: mint.httpURL, walletDirectory: temporaryDirectory("worker"),
                rate: testRate, script: .complete(text: "far", elapsedMs: 5000))
            await worker.setHonoursRelaysTag(honoursRelaysTag)
            await worker.start()
            // The offer is seen on the client's relay too (workers advertise widely).
            let board = try RelayPool(urls: [clientRelay.url])
            await board.connect()
            _ = try await board.publish(try await worker.advertisement().sign(with: worker.key))
            let client = try await makeClient(relay: clientRelay, mint: mint, sats: 100)
            let offer = try await client.directory.offer(of: worker.hex)
            #expect(offer.advertisement.relays == [workerRelay.url])
            let job = try await client.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 10), to: offer, paying: .wallet())
            let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))
            #expect(outcome.status == .completed)
            #expect(outcome.changeRedeemedSat == 12)
            await board.close()
            await worker.stop()
            await client.close()
        }

        @Test func onlyTheAuthorMayCancel() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 0)
            let worker = try await FakeWorker.advertised(on: relay, mint: mint, script: .runUntilCancelled, serving: false)
            let alice = try await makeClient(relay: relay, mint: mint, sats: 50)
            let offer = try await alice.directory.offer(of: worker.hex)
            let job = try await alice.submit(
                JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 10), to: offer, paying: .wallet())
            let mallory = try await makeClient(relay: relay, mint: mint, sats: 0)
            await #expect(throws: ClientError.self) { try await mallory.cancel(jobID: job.jobID) }
            await alice.close()
            await mallory.close()
            await worker.stop()
        }

        @Test func anEmptyWalletIsRefusedBeforeAnythingIsSent() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            let worker = try await FakeWorker.advertised(
                on: relay, mint: mint, script: .complete(text: "x", elapsedMs: 1000), serving: false)
            let client = try await makeClient(relay: relay, mint: mint, sats: 10)
            let offer = try await client.directory.offer(of: worker.hex)
            do {
                _ = try await client.submit(
                    JobOrder(model: "llama3.2:3b", input: .prompt("x"), seconds: 60), to: offer, paying: .wallet())
                Issue.record("expected insufficientFunds")
            } catch ClientError.insufficientFunds(let needed, let available) {
                #expect(available == 10 && needed > 150)
            }
            #expect(try await client.wallet!.balance() == 10)
            await client.close()
            await worker.stop()
        }
    }
}

/// Progress seen by a callback, for assertions afterwards.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [JobProgress] = []
    func add(_ p: JobProgress) { lock.lock(); items.append(p); lock.unlock() }
    var states: [JobState] { lock.lock(); defer { lock.unlock() }; return items.map(\.state) }
}
