import Cashu
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

@Suite struct AdmissionTests {
    func opened(_ request: JobRequest) throws -> OpenedRequest {
        try JobRequest.open(try Fixture.sealed(request), workerKey: Fixture.worker, now: Fixture.now)
    }

    func admit(_ request: JobRequest) throws(RequestRejection) -> Admission {
        let o: OpenedRequest
        do { o = try opened(request) } catch { fatalError("fixture request must open: \(error)") }
        return try Admission(o, terms: Fixture.terms)
    }

    @Test func aGoodRequestIsAdmittedWithItsBudget() throws {
        let admission = try admit(try Fixture.request(maxSeconds: 60))
        #expect(admission.paid == 100)
        #expect(admission.token.mint == Fixture.mint)
        // (100 − 1) sat = 99,000 msat at 2,500 msat/s = 39.6 s → 39, under both caps.
        #expect(try admission.budgetSeconds(inputFee: 1, rate: Fixture.rate) == 39)
        let capped = try admit(try Fixture.request(maxSeconds: 10))
        #expect(try capped.budgetSeconds(inputFee: 0, rate: Fixture.rate) == 10)
    }

    @Test func unknownModel() throws {
        #expect(throws: RequestRejection.unknownModel("mistral:7b")) { try admit(try Fixture.request(model: "mistral:7b")) }
    }

    @Test func tooShort() throws {
        #expect(throws: RequestRejection.tooShort(requested: 3, minimum: 5)) { try admit(try Fixture.request(maxSeconds: 3)) }
    }

    @Test func paymentInvalid() throws {
        for bad in ["cashuBnot-a-token", "cashuCabc", "hello", "cashuA" + "e30"] {
            let request = try Fixture.request(payment: bad)
            do {
                _ = try admit(request)
                Issue.record("accepted \(bad)")
            } catch { #expect(error.code == .paymentInvalid) }
        }
    }

    @Test func wrongUnit() throws {
        #expect(throws: RequestRejection.wrongUnit("usd")) {
            try admit(try Fixture.request(payment: try Fixture.token([500], unit: .usd)))
        }
    }

    @Test func wrongMint() throws {
        #expect(throws: RequestRejection.wrongMint("https://other.mint")) {
            try admit(try Fixture.request(payment: try Fixture.token([64], mint: "https://other.mint/")))
        }
    }

    @Test func underpaidBeforeFees() throws {
        // The minimum is 5 s × 2,500 msat/s = 12.5 sat → 13 sat.
        #expect(throws: RequestRejection.underpaid(paid: 12, needed: 13)) {
            try admit(try Fixture.request(payment: try Fixture.token([8, 4])))
        }
        _ = try admit(try Fixture.request(payment: try Fixture.token([8, 4, 1])))
    }

    @Test func underpaidOnceFeesAreKnown() throws {
        let admission = try admit(try Fixture.request(payment: try Fixture.token([8, 4, 1])))
        #expect(throws: RequestRejection.underpaid(paid: 11, needed: 13)) {
            try admission.budgetSeconds(inputFee: 2, rate: Fixture.rate)
        }
        #expect(throws: RequestRejection.self) { try admission.budgetSeconds(inputFee: 20, rate: Fixture.rate) }
    }

    @Test func wrongLock() throws {
        let strangerKey = Fixture.stranger.publicKey
        let toStranger = try Fixture.token([64]) { P2PKConditions(data: strangerKey).secret().raw }
        #expect(throws: RequestRejection.wrongLock) { try admit(try Fixture.request(payment: toStranger)) }
        // Two signatures needed: the worker cannot spend alone.
        let workerKey = Fixture.worker.publicKey
        let multisig = try Fixture.token([64]) { P2PKConditions(data: workerKey, pubkeys: [strangerKey], nSigs: 2).secret().raw }
        #expect(throws: RequestRejection.wrongLock) { try admit(try Fixture.request(payment: multisig)) }
        let htlc = try Fixture.token([64]) { WellKnownSecret(kind: "HTLC", data: String(repeating: "ab", count: 32)).raw }
        #expect(throws: RequestRejection.wrongLock) { try admit(try Fixture.request(payment: htlc)) }
    }

    @Test func aPaymentLockedToTheWorkerIsAdmitted() throws {
        // Either parity of the worker's key: Nostr keys are x-only.
        let even = Fixture.worker.xOnlyPublicKey.evenPublicKey
        let token = try Fixture.token([64, 64]) { P2PKConditions(data: even).secret().raw }
        #expect(try admit(try Fixture.request(payment: token)).paid == 128)
        let odd = even.negated()
        let token2 = try Fixture.token([64]) { P2PKConditions(data: odd).secret().raw }
        #expect(try admit(try Fixture.request(payment: token2)).paid == 64)
    }
}
