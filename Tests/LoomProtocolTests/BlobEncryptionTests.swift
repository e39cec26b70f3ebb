import Foundation
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

/// Output blobs are encrypted before Blossom sees them; the client decrypts
/// and checks both hashes, and every way a blob can be wrong is its own error.
@Suite struct BlobEncryptionTests {
    let content = Data("The sky is blue because short waves scatter most.".utf8)
    let url = "https://blossom.example.com/" + String(repeating: "b", count: 64) + ".bin"

    func sealed() throws -> (SealedBlob, JobResult.Output) {
        let s = try BlobEncryption.seal(content)
        return (s, s.output(url: url, type: "text/plain"))
    }

    /// The same output, with the blob's hash renamed to match `blob`: what a
    /// lying result (or a server that guessed the address) would give.
    func naming(_ blob: Data, in output: JobResult.Output) -> JobResult.Output {
        var o = output
        o.blobSha256 = BlobEncryption.sha256Hex(blob)
        return o
    }

    /// Test cases 13–15 of the GCM specification (McGrew & Viega), 256-bit
    /// keys: the stored blob is exactly `ciphertext ‖ tag`, as other
    /// implementations write it.
    @Test(arguments: [
        ("00" * 32, "00" * 12, "", "530f8afbc74536b9a963b4f1c4cb738b"),
        ("00" * 32, "00" * 12, "00" * 16, "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"),
        (
            "feffe9928665731c6d6a8f9467308308" * 2, "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
                + "b094dac5d93471bdec1a502270e3cc6c"
        ),
    ])
    func gcmSpecificationVectors(key: String, nonce: String, plaintext: String, blob: String) throws {
        let s = try BlobEncryption.seal(try Hex.decode(plaintext), key: try Hex.decode(key), nonce: try Hex.decode(nonce))
        #expect(Hex.encode(s.blob) == blob)
        #expect(s.encryption == BlobEncryption(algorithm: "aes-256-gcm", key: key, nonce: nonce))
        #expect(
            try s.output(url: url, type: "application/octet-stream").open(try Hex.decode(blob)) == Data(try Hex.decode(plaintext))
        )
    }

    @Test func sealedBlobsOpenAndNameBothHashes() throws {
        let (s, output) = try sealed()
        #expect(s.blob.range(of: Data("blue".utf8)) == nil)
        #expect(output.sha256 == BlobEncryption.sha256Hex(content) && output.size == UInt64(content.count))
        #expect(output.blobSha256 == BlobEncryption.sha256Hex(s.blob) && output.blobSize == output.size + 16)
        #expect(output.blobAddress == output.blobSha256)
        #expect(try output.open(s.blob) == content)
        try output.checkReadable()
        // A fresh key and nonce every time: the same content never gives the same blob.
        let again = try BlobEncryption.seal(content)
        #expect(again.encryption.key != s.encryption.key && again.encryption.nonce != s.encryption.nonce)
        #expect(again.blob != s.blob)
    }

    @Test func aFlippedByteFailsAuthentication() throws {
        let (s, output) = try sealed()
        for i in [0, s.blob.count / 2, s.blob.count - 1] {  // ciphertext start, middle, tag
            var blob = s.blob
            blob[blob.startIndex + i] ^= 0x80
            // Under the result's address the server's bytes are caught by their hash…
            #expect(throws: BlobError.blobHashMismatch(expected: s.blobSha256, actual: BlobEncryption.sha256Hex(blob))) {
                try output.open(blob)
            }
            // …and if the result itself named them, by the tag.
            #expect(throws: BlobError.authenticationFailed) { try naming(blob, in: output).open(blob) }
        }
    }

    @Test func aWrongKeyOrNonceFailsAuthentication() throws {
        let (s, output) = try sealed()
        var wrongKey = output
        wrongKey.encryption?.key = Hex.encode(SecureRandom.bytes(32))
        #expect(throws: BlobError.authenticationFailed) { try wrongKey.open(s.blob) }
        var wrongNonce = output
        wrongNonce.encryption?.nonce = Hex.encode(SecureRandom.bytes(12))
        #expect(throws: BlobError.authenticationFailed) { try wrongNonce.open(s.blob) }
        // Another output's blob under this output's key.
        let other = try BlobEncryption.seal(content)
        #expect(throws: BlobError.authenticationFailed) { try naming(other.blob, in: output).open(other.blob) }
    }

    @Test func aTruncatedBlobIsRefused() throws {
        let (s, output) = try sealed()
        let short = s.blob.dropLast()
        #expect(throws: BlobError.blobHashMismatch(expected: s.blobSha256, actual: BlobEncryption.sha256Hex(short))) {
            try output.open(short)
        }
        #expect(throws: BlobError.authenticationFailed) { try naming(Data(short), in: output).open(short) }
        let stub = s.blob.prefix(10)
        #expect(throws: BlobError.truncated(bytes: 10)) { try naming(Data(stub), in: output).open(stub) }
    }

    @Test func aWrongContentHashIsRefusedAfterDecryption() throws {
        let (s, output) = try sealed()
        var lying = output
        lying.sha256 = BlobEncryption.sha256Hex(Data("something else".utf8))
        #expect(throws: BlobError.hashMismatch(expected: lying.sha256, actual: output.sha256)) { try lying.open(s.blob) }
    }

    @Test func unknownAlgorithmsAndBadParametersAreNamed() throws {
        let (s, output) = try sealed()
        func with(_ change: (inout BlobEncryption) -> Void) -> JobResult.Output {
            var o = output
            change(&o.encryption!)
            return o
        }
        let cases: [(JobResult.Output, BlobError)] = [
            (with { $0.algorithm = "chacha20-poly1305" }, .unknownAlgorithm("chacha20-poly1305")),
            (with { $0.key = String($0.key.dropLast(2)) }, .badKeyLength(bytes: 31, expected: 32)),
            (with { $0.nonce += "00000000" }, .badNonceLength(bytes: 16, expected: 12)),
            (with { $0.key = "zz" + $0.key.dropFirst(2) }, .notHex(field: "key")),
        ]
        for (o, error) in cases {
            // Known before anything is downloaded, and again when opening.
            #expect(throws: error) { try o.checkReadable() }
            #expect(throws: error) { try o.open(s.blob) }
        }
        var noAddress = output
        noAddress.blobSha256 = nil
        #expect(throws: BlobError.missingBlobHash) { try noAddress.checkReadable() }
        #expect(BlobError.unknownAlgorithm("chacha20-poly1305").description.contains("cannot decrypt"))
    }

    /// A reader that predates `encryption` decodes `url`, `sha256`, `size`
    /// and `type` only, downloads the blob and compares it with `sha256`. The
    /// blob is ciphertext and `sha256` the content's hash, so it refuses the
    /// output rather than showing ciphertext as the answer.
    @Test func readersThatIgnoreEncryptionFailSafe() throws {
        let (s, output) = try sealed()
        struct OldOutput: Decodable { let url: String; let sha256: String; let size: UInt64; let type: String }
        let wire = try JSONEncoder().encode(output)
        let old = try JSONDecoder().decode(OldOutput.self, from: wire)
        #expect(old.url == url && old.type == "text/plain")
        #expect(BlobEncryption.sha256Hex(s.blob) != old.sha256, "the old reader's check must fail")
        #expect(UInt64(s.blob.count) != old.size)
        // The same check in today's code: an output without `encryption` is read as clear text.
        let asOldReaderSeesIt = JobResult.Output(url: old.url, sha256: old.sha256, size: old.size, type: old.type)
        #expect(throws: BlobError.hashMismatch(expected: old.sha256, actual: s.blobSha256)) { try asOldReaderSeesIt.open(s.blob) }
        // …and a clear-text blob (from an older worker) still opens against `sha256`.
        #expect(
            try JobResult.Output(url: url, sha256: output.sha256, size: output.size, type: "text/plain").open(content) == content)
    }

    func completed(_ outputs: [JobResult.Output]) throws -> JobResult {
        let bill = try Pricing.settle(
            paid: 100, inputFee: 0, changeFee: 0, rate: Fixture.rate,
            elapsedMs: 23_100, budgetSeconds: 40, cause: .normal)
        return JobResult(status: .completed, outputs: outputs, bill: bill, change: try Fixture.token([32, 8, 2]))
    }

    @Test func resultsCarryTheFieldsUnderTheirWireNames() throws {
        let (_, output) = try sealed()
        let result = try completed([output])
        let requestID = String(repeating: "5e", count: 32)
        let event = try result.seal(requestID: requestID, to: Fixture.client.xOnlyPublicKey, from: Fixture.worker)
        #expect(try JobResult.open(event, clientKey: Fixture.client).result == result)
        let plaintext = try NIP44.decrypt(event.content, to: Fixture.client, from: Fixture.worker.xOnlyPublicKey)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plaintext.utf8)) as? [String: Any])
        let wire = try #require((json["outputs"] as? [[String: Any]])?.first)
        #expect(Set(wire.keys) == ["url", "sha256", "size", "type", "encryption", "blob_sha256", "blob_size"])
        #expect(Set((wire["encryption"] as? [String: Any] ?? [:]).keys) == ["algorithm", "key", "nonce"])
    }

    /// Malformed fields refuse the result, naming the field. An algorithm
    /// this reader does not know does not: the bill and change still count,
    /// and only that output is refused when opened.
    @Test func resultsCheckTheShapesOfTheEncryptionFields() throws {
        let (_, output) = try sealed()
        func with(_ change: (inout JobResult.Output) -> Void) -> JobResult.Output {
            var o = output
            change(&o)
            return o
        }
        let cases: [(JobResult.Output, String)] = [
            (with { $0.blobSha256 = nil }, "outputs[0].blob_sha256"),
            (with { $0.blobSha256 = "ABC" }, "outputs[0].blob_sha256"),
            (with { $0.blobSize = nil }, "outputs[0].blob_size"),
            (with { $0.blobSize = $0.size + 17 }, "outputs[0].blob_size"),
            (
                with {
                    let key = $0.encryption!.key; $0.encryption?.key = String(key.dropLast(2))
                }, "outputs[0].encryption.key"
            ),
            (
                with {
                    let key = $0.encryption!.key; $0.encryption?.key = key.uppercased()
                }, "outputs[0].encryption.key"
            ),
            (with { $0.encryption?.nonce += "00000000" }, "outputs[0].encryption.nonce"),
            (with { $0.encryption?.algorithm = "AES GCM" }, "outputs[0].encryption.algorithm"),
            (with { $0.encryption?.algorithm = "" }, "outputs[0].encryption.algorithm"),
            (
                with {
                    $0.encryption?.algorithm = "x-cipher"; $0.encryption?.key = "not hex"
                }, "outputs[0].encryption.key"
            ),
            (with { $0.encryption = nil }, "outputs[0].encryption"),
        ]
        for (o, field) in cases {
            let error = #expect(throws: ContentError.self, "\(field)") { try completed([o]).validate() }
            guard case .invalid(let named, _) = error else { Issue.record("\(field): \(String(describing: error))"); continue }
            #expect(named == field)
        }
        try completed([output]).validate()
        try completed([with { $0.encryption?.algorithm = "chacha20-poly1305" }]).validate()
    }

    @Test func theKeyIsNeverInADescription() throws {
        let (_, output) = try sealed()
        let key = try #require(output.encryption?.key)
        for text in [
            String(describing: output), String(reflecting: output), "\(JobResult(status: .cancelled, outputs: [output]))",
        ] {
            #expect(!text.contains(key))
        }
    }
}

extension String {
    fileprivate static func * (s: String, n: Int) -> String { String(repeating: s, count: n) }
}
