import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

extension Worker {
    func setRetryInterval(_ interval: Duration) { retryInterval = interval }
}

/// The mint goes away while the change is being made: the job waits, and
/// the change is made once the mint is back, exactly once.
@Suite(.serialized)
struct MintOutageTests {
    @Test func changeIsMadeWhenTheMintComesBack() async throws {
        let reply = Array(repeating: "word", count: 400).joined(separator: " ")
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", reply])
        let (worker, serving) = try await h.startWorker(h.configuration())
        await worker.setRetryInterval(.seconds(2))
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)
        let event = try await h.submit(h.prompt(payment.token))
        let watcher = h.watch(event.id)
        _ = try await watcher.status(.running)

        h.mint.stop()
        _ = try await h.clientPool.publish(
            try JobCancel.sign(requestID: event.id, worker: h.workerKey.xOnlyPublicKey.hex, with: h.clientKey))
        // The job ended and its ending is journaled, but no change could be made.
        #expect(try await eventually { try worker.journal.job(event.id)?.ending != nil })
        try await Task.sleep(for: .seconds(3))
        #expect(try worker.journal.job(event.id)?.changeToken == nil)
        #expect(try worker.journal.job(event.id)?.state.isTerminal == false)

        try await h.mint.start()
        let result = try await watcher.result().result
        #expect(result.status == .cancelled)
        let bill = try #require(result.bill)
        #expect(bill.changeSat.value == 30 - bill.chargedSat.value)
        #expect(try await client.receive(try #require(result.change)).amount == bill.changeSat)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == bill.chargedSat)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
