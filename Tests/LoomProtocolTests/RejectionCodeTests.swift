import Cashu
import Testing

@testable import LoomProtocol

@Suite struct RejectionCodeTests {
    /// Every case, including those only the worker's payment desk and
    /// scheduler can raise (DLEQ, spent, mint down, busy, shutting down).
    static let all: [RequestRejection] = [
        .wrongKind(1), .wrongWorker, .tooLarge(bytes: 2, limit: 1), .notWhitelisted, .badSignature,
        .expired(at: 5), .notEncrypted, .clearTextPayment, .undecryptable, .badSchema("x"),
        .unsupportedVersion(2), .unknownModel("m"), .tooShort(requested: 1, minimum: 5), .paymentMissing,
        .paymentInvalid("x"), .wrongUnit("usd"), .wrongMint("https://m"), .underpaid(paid: 1, needed: 2),
        .wrongLock, .invalidDLEQ, .spent, .mintUnavailable, .workerBusy, .notAccepting,
        .inputTooLarge(bytes: 2, limit: 1), .inputTooLarge(bytes: 2, limit: 0), .inputUnavailable, .inputMismatch("x"),
    ]

    @Test func everyCodeIsCoveredOnceAndStable() {
        #expect(
            Set(Self.all.map(\.code)).sorted { $0.rawValue < $1.rawValue }
                == RequestRejection.Code.allCases.sorted { $0.rawValue < $1.rawValue })
        #expect(Set(RequestRejection.Code.allCases.map(\.rawValue)).count == RequestRejection.Code.allCases.count)
        // These strings are on the wire: changing one breaks clients.
        #expect(
            RequestRejection.Code.allCases.map(\.rawValue) == [
                "wrong-kind", "wrong-worker", "too-large", "not-whitelisted", "bad-signature", "expired",
                "not-encrypted", "clear-text-payment", "undecryptable", "bad-schema", "unsupported-version",
                "unknown-model", "too-short", "payment-missing", "payment-invalid", "wrong-unit", "wrong-mint",
                "underpaid", "wrong-lock", "invalid-dleq", "spent", "mint-unavailable", "worker-busy", "not-accepting",
                "input-too-large", "input-unavailable", "input-mismatch",
            ])
    }

    @Test(arguments: all)
    func everyRejectionTravelsInAStatus(_ rejection: RequestRejection) throws {
        #expect(!rejection.message.isEmpty)
        let requestID = String(repeating: "ab", count: 32)
        let event = try JobStatus.rejected(rejection).sign(
            with: Fixture.worker, requestID: requestID, client: Fixture.client.xOnlyPublicKey.hex, createdAt: Fixture.now)
        #expect(event.firstTag("status") == ["status", "rejected", rejection.code.rawValue])
        let read = try JobStatus.parse(event)
        #expect(read.status.reason == rejection.reason)
        #expect(RequestRejection.Code(rawValue: read.status.reason!.code) == rejection.code)
    }

    @Test func failureCodesAreDistinctFromRejectionCodes() {
        let failures = Set(JobFailure.allCases.map(\.code))
        #expect(failures.isDisjoint(with: RequestRejection.Code.allCases.map(\.rawValue)))
        #expect(failures.count == JobFailure.allCases.count)
    }
}
