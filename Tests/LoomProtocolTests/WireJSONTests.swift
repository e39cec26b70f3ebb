import LoomJSON
import Testing

@testable import LoomProtocol

@Suite struct WireJSONTests {
    @Test func kindsAreTheAgreedNumbers() {
        #expect(LoomKind.advertisement.rawValue == 10100)
        #expect(LoomKind.jobRequest.rawValue == 5100)
        #expect(LoomKind.jobResult.rawValue == 5101)
        #expect(LoomKind.jobCancel.rawValue == 5102)
        #expect(LoomKind.jobStatus.rawValue == 30100)
        // NIP-01 storage classes: replaceable, regular, addressable.
        #expect((10000..<20000).contains(LoomKind.advertisement.rawValue))
        #expect((30000..<40000).contains(LoomKind.jobStatus.rawValue))
        #expect([LoomKind.jobRequest, .jobResult, .jobCancel].allSatisfy { (1000..<10000).contains($0.rawValue) })
    }

    @Test func versionIsReadFirst() {
        #expect(throws: ContentError.missingVersion) { try WireJSON.decode(JobStatus.self, from: #"{"status":"queued"}"#) }
        #expect(throws: ContentError.unsupportedVersion(0)) { try WireJSON.decode(JobStatus.self, from: #"{"v":0}"#) }
        #expect(throws: ContentError.notJSONObject) { try WireJSON.decode(JobStatus.self, from: "[]") }
        #expect(throws: ContentError.notJSONObject) { try WireJSON.decode(JobStatus.self, from: "") }
        #expect(throws: ContentError.invalid(field: "v", reason: "must be a whole number")) {
            try WireJSON.decode(JobStatus.self, from: #"{"v":1.5}"#)
        }
    }

    @Test func schemaErrorsNameTheField() {
        #expect(throws: ContentError.schema("missing field elapsed_ms")) {
            try WireJSON.decode(JobStatus.self, from: #"{"v":1,"status":"queued","cost_msat":0,"tokens":0}"#)
        }
        #expect(throws: ContentError.self) {
            try WireJSON.decode(JobStatus.self, from: #"{"v":1,"status":"paused","elapsed_ms":0,"cost_msat":0,"tokens":0}"#)
        }
    }

    @Test func optionsKeepIntegersExact() throws {
        let request = JobRequest(
            model: "m", input: .prompt("p"),
            options: [
                "seed": .int(9_007_199_254_740_993), "temperature": .double(0.7),
                "stop": .array([.string("x"), .null, .bool(true)]), "extra": .object(["k": .int(-1)]),
            ],
            payment: "cashuBx")
        let text = try WireJSON.encode(request)
        #expect(text.contains("9007199254740993"))
        #expect(try WireJSON.decode(JobRequest.self, from: text) == request)
    }
}
