import AddressSafety
import Blossom
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

/// A paid job from request to redeemed change, against real servers.
@Suite(.serialized)
struct PaidJobTests {
    static let reply = "Short waves scatter most, so the daylight sky looks blue to us."

    @Test(arguments: [0, 100])
    func paidJobCompletesWithOutputBillAndChange(inputFeePpk: Int) async throws {
        let h = try await Harness(
            inputFeePpk: inputFeePpk, ollamaArguments: ["--tokens-per-second", "20", "--reply", Self.reply])
        let config = h.configuration()
        let (worker, serving) = try await h.startWorker(config)
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)
        let clientLeft = try await client.balance()

        let event = try h.prompt(payment.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        let received = try await watcher.result()
        let result = received.result

        #expect(result.status == .completed)
        #expect(result.error == nil)
        #expect(result.uploadError == nil)
        let bill = try #require(result.bill)
        // Money rule 7, from the client's side of the wire.
        #expect(bill.paidSat == 30)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        #expect(bill.chargedSat > .zero)
        #expect(bill.elapsedMs > 0)
        #expect(bill.budgetSeconds >= 1)

        // The client opens both outputs: each decrypts, both hashes check, and
        // the text is the model's reply.
        #expect(result.outputs.count == 2)
        let text = try #require(result.outputs.first { $0.type == "text/plain" })
        let transcript = try #require(result.outputs.first { $0.type == "application/json" })
        #expect(
            String(decoding: try await JobClient.fetch(text, dialCheck: DialCheck(allowLocal: true)), as: UTF8.self) == Self.reply
        )
        let json = try await JobClient.fetch(transcript, dialCheck: DialCheck(allowLocal: true))
        #expect(!String(decoding: json, as: UTF8.self).contains("cashu"), "the transcript never carries the payment")
        let record = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(record?["prompt"] as? String == "Why is the sky blue?" && record?["output"] as? String == Self.reply)

        // What anyone can get from Blossom, by hash or by listing the
        // advertised worker's blobs, is ciphertext.
        try await expectOnlyCiphertext(on: h, outputs: result.outputs, secrets: [Self.reply, "Why is the sky blue?", "cashu"])

        // The change is the client's: locked to its key, it redeems into its own wallet.
        let change = try #require(result.change)
        let redeemed = try await client.receive(change)
        #expect(redeemed.amount == bill.changeSat)
        #expect(try await client.balance() == Amount(clientLeft.value + bill.changeSat.value - redeemed.fee.value))

        // The worker kept exactly the charge, and its books balance.
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let audit = try await wallet.audit()
        #expect(audit.ok, "\(audit.problems)")
        #expect(audit.pendingOperations == 0)
        #expect(try await wallet.balance() == bill.chargedSat)

        // Statuses went through the whole life of the job, in order.
        _ = try await watcher.status(.completed)
        let states = watcher.states
        #expect(states.first == .received || states.contains(.received))
        #expect(states.last == .completed)
        let journaled = try #require(try worker.journal.job(event.id))
        #expect(journaled.state == .completed)
        #expect(journaled.published)
        #expect(journaled.changeToken == change)
        let snapshot = await worker.snapshot()
        #expect(snapshot.jobsDone == 1)
        #expect(snapshot.earningsSat == bill.chargedSat.value)

        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
