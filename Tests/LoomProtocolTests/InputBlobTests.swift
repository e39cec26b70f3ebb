import Foundation
import Nostr
import Testing

@testable import LoomProtocol

/// `input_blob` in the request, the advertised limits, and every way a blob
/// or its reference can be wrong.
@Suite struct InputBlobTests {
    let opener = RequestOpener(workerKey: Fixture.worker)

    static func blobRequest(_ input: JobRequest.Input = .prompt("a long document")) throws -> (JobRequest, Data) {
        let (reference, blob) = try InputBlob.seal(input)
        let request = JobRequest(
            model: "llama3.2:3b", input: .blob(reference), payment: try Fixture.token([64]), maxSeconds: 60)
        return (request, blob)
    }

    @Test func aBlobRequestRoundTripsAndKeepsTheInputOffTheWire() throws {
        let (request, blob) = try Self.blobRequest(.messages([ChatMessage(role: "user", content: "secret words")]))
        let event = try Fixture.sealed(request)
        let opened = try opener.open(event, now: Fixture.now)
        #expect(opened.request == request)
        guard case .blob(let reference) = opened.request.input else { Issue.record("not a blob input"); return }
        #expect(!String(decoding: blob, as: UTF8.self).contains("secret"), "the blob is ciphertext")
        #expect(reference.blobSize == UInt64(blob.count) && reference.size + 16 == reference.blobSize)
        #expect(reference.blobSha256 == BlobEncryption.sha256Hex(blob))
        #expect(
            try InputBlob.Body.input(from: reference.open(blob))
                == .messages([ChatMessage(role: "user", content: "secret words")]))
        #expect(!"\(request)".contains(reference.encryption.key) && "\(request)".contains("input blob of"))
        #expect(!"\(reference)".contains(reference.encryption.key))
    }

    @Test func theWireNamesAreTheProtocols() throws {
        let (request, _) = try Self.blobRequest()
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(WireJSON.encode(request).utf8)) as? [String: Any])
        #expect(json["prompt"] == nil && json["messages"] == nil)
        let blob = try #require(json["input_blob"] as? [String: Any])
        #expect(Set(blob.keys) == ["sha256", "size", "encryption", "blob_sha256", "blob_size"])
        let body = try InputBlob.Body(.prompt("hi")).encoded()
        #expect(body == #"{"prompt":"hi","v":1}"#)
    }

    @Test func oneInputOnly() throws {
        let (request, _) = try Self.blobRequest()
        let text = try WireJSON.encode(request)
        let both = text.replacingOccurrences(of: #""model""#, with: #""prompt":"x","model""#)
        #expect(throws: ContentError.self) { try WireJSON.decode(JobRequest.self, from: both) }
        let none = #"{"v":1,"model":"m","payment":"cashuB"}"#
        #expect(throws: ContentError.invalid(field: "prompt", reason: "one of prompt, messages or input_blob is required")) {
            try WireJSON.decode(JobRequest.self, from: none)
        }
    }

    /// Every malformed reference is `bad-schema`, naming the field.
    @Test func malformedReferencesAreRefusedByField() throws {
        let (request, _) = try Self.blobRequest()
        guard case .blob(let good) = request.input else { return }
        let cases: [(String, (inout InputBlob) -> Void)] = [
            ("input_blob.sha256", { $0.sha256 = "ABC" }),
            ("input_blob.sha256", { $0.sha256 = String(repeating: "A", count: 64) }),
            ("input_blob.blob_sha256", { $0.blobSha256 = String(repeating: "0", count: 63) }),
            ("input_blob.encryption.algorithm", { $0.encryption.algorithm = "chacha20" }),
            ("input_blob.encryption.key", { $0.encryption.key = "00" }),
            ("input_blob.encryption.nonce", { $0.encryption.nonce = String(repeating: "g", count: 24) }),
            ("input_blob.blob_size", { $0.blobSize = $0.size }),
            (
                "input_blob.blob_size",
                {
                    $0.size = 0; $0.blobSize = 3
                }
            ),
        ]
        for (field, change) in cases {
            var bad = good
            change(&bad)
            var r = request
            r.input = .blob(bad)
            let event = try Fixture.rawRequest(content: try Fixture.encrypted(try WireJSON.encode(r)))
            do {
                _ = try opener.open(event, now: Fixture.now)
                Issue.record("opened a request with a bad \(field)")
            } catch {
                guard case .badSchema(let why) = error else { Issue.record("\(field): \(error)"); continue }
                #expect(why.contains(field), "\(field): \(why)")
            }
        }
    }

    /// Each way the downloaded bytes can be wrong has its own account.
    @Test func theBytesAreCheckedInOrder() throws {
        let (reference, blob) = try InputBlob.seal(.prompt("the document"))
        #expect(throws: BlobError.blobHashMismatch(expected: reference.blobSha256, actual: BlobEncryption.sha256Hex(blob + [0])))
        {
            try reference.open(blob + [0])
        }
        var otherKey = reference
        otherKey.encryption.key = String(repeating: "11", count: 32)
        #expect(throws: BlobError.authenticationFailed) { try otherKey.open(blob) }
        var otherContent = reference
        otherContent.sha256 = String(repeating: "0", count: 64)
        #expect(throws: BlobError.hashMismatch(expected: otherContent.sha256, actual: reference.sha256)) {
            try otherContent.open(blob)
        }
    }

    /// What the blob holds is read as strictly as an inline input.
    @Test func theBodyHoldsAPromptOrMessages() throws {
        #expect(try InputBlob.Body.input(from: Data(#"{"v":1,"prompt":"p"}"#.utf8)) == .prompt("p"))
        for bad in [
            #"{"v":1}"#, #"{"v":1,"prompt":"p","messages":[]}"#, #"{"v":2,"prompt":"p"}"#, "not json", #"{"prompt":"p"}"#,
        ] {
            #expect(throws: ContentError.self, "\(bad)") { try InputBlob.Body.input(from: Data(bad.utf8)) }
        }
        let (reference, _) = try InputBlob.seal(.prompt("x"))
        #expect(throws: ContentError.self) { try InputBlob.Body(.blob(reference)) }
    }

    @Test func admissionBoundsTheDeclaredSizeBeforeAnyDownload() throws {
        let (request, _) = try Self.blobRequest()
        guard case .blob(let reference) = request.input else { return }
        let opened = try opener.open(try Fixture.sealed(request), now: Fixture.now)
        var terms = Fixture.terms
        #expect(throws: RequestRejection.inputTooLarge(bytes: reference.blobSize, limit: 0)) {
            try Admission(opened, terms: terms)
        }
        terms.maxInputBytes = reference.blobSize - 1
        #expect(throws: RequestRejection.inputTooLarge(bytes: reference.blobSize, limit: reference.blobSize - 1)) {
            try Admission(opened, terms: terms)
        }
        terms.maxInputBytes = reference.blobSize
        #expect(try Admission(opened, terms: terms).request == opened)
        #expect(RequestRejection.inputTooLarge(bytes: 9, limit: 0).message.contains("takes no input blobs"))
    }

    @Test func theWorkerReplacesTheBlobWithWhatItHolds() throws {
        let (request, _) = try Self.blobRequest()
        let opened = try opener.open(try Fixture.sealed(request), now: Fixture.now)
        let resolved = opened.with(input: .prompt("the document"))
        #expect(resolved.request.input == .prompt("the document"))
        #expect(resolved.id == opened.id && resolved.request.payment == opened.request.payment)
    }

    @Test func theLimitsAreAdvertisedAndOptional() throws {
        var ad = Fixture.advertisement
        #expect(ad.requestLimit == 65_536 && ad.inputLimit == 0, "an older worker: 64 KiB, no blobs")
        ad.maxRequestBytes = 100_000
        ad.maxInputBytes = 8 << 20
        let event = try ad.sign(with: Fixture.worker, createdAt: Fixture.now, ttl: 300)
        #expect(event.content.contains(#""max_input_bytes":8388608"#) && event.content.contains(#""max_request_bytes":100000"#))
        let read = try Advertisement.parse(event).advertisement
        #expect(read == ad && read.requestLimit == 100_000 && read.inputLimit == 8 << 20)
        ad.maxRequestBytes = 100
        #expect(throws: ContentError.invalid(field: "max_request_bytes", reason: "must be 4096...1073741824")) {
            try ad.template(expiresAt: Fixture.now)
        }
    }

    @Test func theDefaultLimitIsTheProtocols() {
        #expect(RequestOpener.defaultMaxEventBytes == 100_000)
    }
}
