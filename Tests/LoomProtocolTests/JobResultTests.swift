import Cashu
import Foundation
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

@Suite struct JobResultTests {
    let requestID = String(repeating: "5e", count: 32)

    func completed(change: UInt64 = 40) throws -> JobResult {
        let bill = try Pricing.settle(
            paid: 100, inputFee: 1, changeFee: 1, rate: Fixture.rate,
            elapsedMs: 23_100, budgetSeconds: 39, cause: .normal)
        #expect(bill.changeSat.value == 40)
        return JobResult(
            status: .completed,
            outputs: [
                .init(
                    url: "https://blossom.example.com/" + String(repeating: "a", count: 64) + ".txt",
                    sha256: String(repeating: "a", count: 64), size: 1234, type: "text/plain")
            ],
            usage: .init(promptTokens: 31, completionTokens: 480, tokensPerSecond: 20.8),
            bill: bill, change: try Fixture.token([change == 40 ? 32 : 16, 8]))
    }

    @Test func sealedResultOpensForTheClient() throws {
        let result = try completed()
        let event = try result.seal(
            requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker, createdAt: Fixture.now)
        #expect(event.kind == 5101)
        #expect(
            event.tags == [["e", requestID], ["p", Fixture.client.xOnlyPublicKey.hex], ["status", "completed"], ["encrypted"]])
        #expect(!event.content.contains("cashu"))

        let received = try JobResult.open(
            event, clientKey: Fixture.client, worker: Fixture.worker.xOnlyPublicKey.hex, requestID: requestID)
        #expect(received.result == result)
        #expect(received.requestID == requestID && received.worker == Fixture.worker.xOnlyPublicKey.hex)
        #expect(try received.result.changeToken()?.amount() == 40)
    }

    @Test func aThirdKeyCannotOpenAResult() throws {
        let event = try completed().seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        #expect(throws: LoomEventError.wrongParty("result is addressed to another key")) {
            try JobResult.open(event, clientKey: Fixture.stranger)
        }
        #expect(throws: NIP44Error.invalidMAC) {
            try NIP44.decrypt(event.content, to: Fixture.stranger, from: Fixture.worker.xOnlyPublicKey)
        }
        // The stranger re-addressing the ciphertext to itself still cannot read it.
        let readdressed = try Event.sign(
            kind: 5101, content: event.content,
            tags: [["e", requestID], ["p", Fixture.stranger.xOnlyPublicKey.hex], ["status", "completed"], ["encrypted"]],
            with: Fixture.worker)
        #expect(throws: LoomEventError.undecryptable(.invalidMAC)) {
            try JobResult.open(readdressed, clientKey: Fixture.stranger)
        }
    }

    @Test func resultsFromTheWrongWorkerOrJobAreRefused() throws {
        let event = try completed().seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        #expect(throws: LoomEventError.self) {
            try JobResult.open(event, clientKey: Fixture.client, worker: Fixture.stranger.xOnlyPublicKey.hex)
        }
        #expect(throws: LoomEventError.self) {
            try JobResult.open(event, clientKey: Fixture.client, requestID: String(repeating: "0", count: 64))
        }
        #expect(throws: LoomEventError.self) {
            try JobResult.open(event.tampered(tags: event.tags.dropLast()), clientKey: Fixture.client)
        }
    }

    @Test func failedAndRejectedResults() throws {
        let refund = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: Fixture.rate,
            elapsedMs: 1_000, budgetSeconds: 40, cause: .workerFault)
        #expect(refund.chargedSat == 3)  // 1 s at 2.5 sat/s, no minimum: the worker's fault
        let failed = JobResult(
            status: .failed, bill: refund, change: try Fixture.token([64, 32, 1]),
            error: JobFailure.backendUnavailable.reason)
        let event = try failed.seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        #expect(event.firstTag("status") == ["status", "failed", "backend-unavailable"])
        #expect(try JobResult.open(event, clientKey: Fixture.client).result == failed)

        let rejected = JobResult(status: .rejected, error: RequestRejection.spent.reason)
        let rejectedEvent = try rejected.seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        #expect(try JobResult.open(rejectedEvent, clientKey: Fixture.client).result == rejected)
    }

    @Test func uploadFailureStillCarriesTheChange() throws {
        var result = try completed()
        result.outputs = []
        result.uploadError = "all 2 Blossom servers refused the upload"
        let event = try result.seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        let opened = try JobResult.open(event, clientKey: Fixture.client).result
        #expect(opened.uploadError != nil && opened.change != nil)
    }

    @Test func inconsistentResultsAreNotBuilt() throws {
        let good = try completed()
        var unbalanced = good
        unbalanced.bill?.chargedSat = 10
        var wrongChange = good
        wrongChange.change = try Fixture.token([16, 8])
        var missingChange = good
        missingChange.change = nil
        var changeWithoutBill = JobResult(status: .rejected, error: RequestRejection.underpaid(paid: 1, needed: 2).reason)
        changeWithoutBill.change = try Fixture.token([1])
        var billForRejected = good
        billForRejected.status = .rejected
        billForRejected.error = RequestRejection.spent.reason
        var failedWithoutError = good
        failedWithoutError.status = .failed
        var notFinal = good
        notFinal.status = .running
        var badHash = good
        badHash.outputs[0].sha256 = "ABC"
        for (name, r) in [
            ("unbalanced", unbalanced), ("wrongChange", wrongChange), ("missingChange", missingChange),
            ("changeWithoutBill", changeWithoutBill), ("billForRejected", billForRejected),
            ("failedWithoutError", failedWithoutError), ("notFinal", notFinal), ("badHash", badHash),
        ] {
            #expect(throws: ContentError.self, "\(name)") { try r.validate() }
        }
    }

    @Test func contentUsesTheWireNames() throws {
        let event = try completed().seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        let plaintext = try NIP44.decrypt(event.content, to: Fixture.client, from: Fixture.worker.xOnlyPublicKey)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plaintext.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["v", "status", "outputs", "usage", "bill", "change"])
        let bill = try #require(json["bill"] as? [String: Any])
        #expect(
            Set(bill.keys) == [
                "paid_sat", "charged_sat", "mint_fee_sat", "change_sat", "dust_sat",
                "msat_per_second", "elapsed_ms", "billed_ms", "budget_seconds",
            ])
        #expect(
            Set((json["usage"] as? [String: Any] ?? [:]).keys) == ["prompt_tokens", "completion_tokens", "tokens_per_second"])
    }
}
