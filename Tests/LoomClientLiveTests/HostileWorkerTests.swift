import Cashu
import CashuWallet
import Foundation
import LoomGateway
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import NostrRelay
import Testing

@testable import LoomClient

extension ClientSuites {
    /// The hostile-worker bench: a worker that publishes a normal offer and
    /// then cheats the buyer, one way per case, against a real relay, a real
    /// mint and the project's Blossom server. Through the path `loom job
    /// submit` takes (`JobClient`) and the one `loom gateway` takes
    /// (`GatewayEngine`): nothing crashes or hangs past its deadline, the
    /// buyer loses at most what that call was allowed to spend, the error
    /// or warning names what the worker did, the journal records it, and the
    /// worker is avoided from then on.
    @Suite(.serialized)
    struct HostileWorkerTests {
        /// What each attack must be recorded as; nil: nothing to hold against the worker, the call must just survive.
        static let expected: [(FakeWorker.Attack, Finding?)] = [
            (.billOverPrice, .billOverPrice),
            (.keepEverything, .billOverPrice),
            (.fakeChange, .fakeChange),
            (.spentChange, .spentChange),
            (.hugeUsage, .invalidResult),
            (.takeAndSilent, .keptPayment),
            (.absurdChunks, nil),
        ]

        @Test func everyAttackThroughTheClient() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            try await withBlossomServer { blossom in
                let client = try await makeClient(relay: relay, mint: mint, sats: 1000)
                for (attack, finding) in Self.expected {
                    let worker = try await FakeWorker.advertised(
                        on: relay, mint: mint, script: .complete(text: "an honest-looking answer", elapsedMs: 6000),
                        blossom: blossom)
                    await worker.setAttack(attack)
                    let offer = try await client.directory.offer(of: worker.hex)
                    let before = try await client.wallet!.balance()
                    let order = JobOrder(model: "llama3.2:3b", input: .prompt("tell me"), seconds: 10)
                    let started = ContinuousClock.now
                    let outcome: JobOutcome
                    let paid: UInt64
                    if attack == .absurdChunks {
                        let streaming = try await client.submitStreaming(
                            order, to: offer, paying: .wallet(), timeout: .seconds(20), statusTimeout: .seconds(5))
                        paid = streaming.job.paidSat.value + streaming.job.paymentFee.value
                        var end: StreamedOutcome?
                        for try await event in streaming.events { if case .result(let r) = event { end = r } }
                        let streamed = try #require(end, "\(attack)")
                        #expect(streamed.outcome.output == "an honest-looking answer", "\(attack)")
                        #expect(!streamed.streamed.contains("absurd"), "\(attack): absurd chunks are dropped")
                        outcome = streamed.outcome
                    } else {
                        let job = try await client.submit(order, to: offer, paying: .wallet())
                        paid = job.paidSat.value + job.paymentFee.value
                        outcome = try await client.follow(
                            jobID: job.jobID, worker: job.worker, timeout: .seconds(15), statusTimeout: .seconds(5))
                    }
                    // Never past its deadline (15 s, plus the settling after it).
                    #expect(ContinuousClock.now - started < .seconds(60), "\(attack)")
                    let after = try await client.wallet!.balance()
                    let lost = before.value - min(before.value, after.value)
                    #expect(lost <= paid, "\(attack): lost \(lost) sat of \(paid) paid")
                    let journaled = try #require(client.journal.load(outcome.jobID))
                    let record = try #require(WorkerRecord.build(client.journal.all())[worker.hex])
                    if let finding {
                        #expect(outcome.findings.contains(finding), "\(attack): \(outcome.findings)")
                        #expect(journaled.findings?.contains(finding.rawValue) == true, "\(attack): the journal keeps it")
                        #expect(outcome.warnings.contains { $0.contains(finding.rawValue) }, "\(attack): \(outcome.warnings)")
                        #expect(record.standing == .avoided(finding), "\(attack): \(record.standing)")
                        #expect(record.score == "AVOID \(finding.rawValue)")
                    } else {
                        #expect(outcome.status == .completed, "\(attack)")
                        #expect(!record.standing.isAvoided, "\(attack)")
                    }
                    switch attack {
                    case .hugeUsage:
                        // The result is refused, yet the change it carried is redeemed.
                        #expect(outcome.status == .failed && outcome.changeRedeemedSat != nil, "\(attack)")
                    case .takeAndSilent:
                        #expect(outcome.status == .timeout && outcome.reclaimedSat == nil)
                        #expect(journaled.costSat == paid, "the loss shows in `loom job list`")
                    default: break
                    }
                    await worker.stop()
                }
                let audit = try await client.wallet!.audit()
                #expect(audit.ok, "\(audit.problems)")
                await client.close()
            }
        }

        /// Through the gateway's engine: a cheap worker that takes the payment and stays
        /// silent costs the call at most its cap, never a second payment for the same
        /// call elsewhere, and the next call goes to the honest (dearer) worker.
        @Test func theGatewayLosesAtMostTheCapAndThenAvoidsTheCheat() async throws {
            let relay = try await TestRelay(maxEventSize: 65536)
            let mint = try await TestMint.start(inputFeePpk: 100)
            try await withBlossomServer { blossom in
                let cheat = try await FakeWorker.advertised(
                    on: relay, mint: mint, script: .complete(text: "never sent", elapsedMs: 6000), blossom: blossom)
                await cheat.setAttack(.takeAndSilent)
                let honest = try FakeWorker(
                    relay: relay.url, mint: mint.httpURL, walletDirectory: temporaryDirectory("worker"),
                    rate: Rate(msatPerSecond: 3000, minSeconds: 5, maxSeconds: 600), blossom: blossom,
                    script: .complete(text: "the honest answer", elapsedMs: 6000))
                try await honest.advertise()
                await honest.start()
                let client = try await makeClient(relay: relay, mint: mint, sats: 1000)
                let cap: UInt64 = 40
                let engine = GatewayEngine(
                    client: client, wallet: client.wallet!,
                    configuration: GatewayConfiguration(
                        maxSatPerCall: cap, maxSecondsPerCall: 10, statusTimeoutSeconds: 5, callTimeoutSeconds: 15))
                let request = try OpenAIRequest.parse(
                    Array(#"{"model":"llama3.2:3b","prompt":"tell me"}"#.utf8), endpoint: .completion)
                let before = try await client.wallet!.balance()
                do throws(CallFailure) {
                    let result = try await engine.perform(request)
                    Issue.record("the silent worker answered: \(result)")
                } catch {
                    #expect(error.spentSat > 0 && error.spentSat <= cap, "\(error.spentSat)")
                    #expect(error.error.message.contains("took the payment and gave no result"), "\(error)")
                }
                let afterFirst = try await client.wallet!.balance()
                #expect(before.value - afterFirst.value <= cap)
                #expect(await engine.records.standings()[cheat.hex] == .avoided(.keptPayment))
                let answered = try await engine.perform(request)
                #expect(answered.worker == honest.hex && answered.text == "the honest answer")
                #expect(answered.costSat <= cap)
                await cheat.stop()
                await honest.stop()
                await client.close()
            }
        }
    }
}
