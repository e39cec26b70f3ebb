import AddressSafety
import AsyncHTTPClient
import Blossom
import BlossomClient
import Foundation
import LoomClient
import LoomProtocol
import Testing

@testable import LoomWorker

/// Outputs on Blossom are public to anyone who reads the advertisement: they
/// must be useless to everyone but the client, to readers that predate their
/// encryption too, and a server that alters them must be caught.
@Suite(.serialized)
struct OutputPrivacyTests {
    @Test func oldReadersAndAlteredBlobsGetNothingAndTheMoneyStands() async throws {
        let h = try await Harness()
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(64)
        let payment = try await client.send(20)
        let event = try await h.submit(h.prompt(payment.token))
        let result = try await h.watch(event.id).result().result
        #expect(result.status == .completed)
        let text = try #require(result.outputs.first { $0.type == "text/plain" })
        try await expectOnlyCiphertext(on: h, outputs: result.outputs, secrets: ["Why is the sky blue?"])

        // A reader that ignores `encryption` (loom before it) checks what it
        // downloads against `sha256`, the content's hash: no server has a blob
        // under that address, and the blob at `url` does not hash to it. It
        // refuses the output instead of showing ciphertext.
        let url = try #require(URL(string: text.url))
        await #expect(throws: BlossomError.self) {
            try await BlossomClient(servers: [h.blossomURL]).download(text.sha256, preferredURL: url)
        }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: text.url), timeout: .seconds(30))
        #expect(response.status == .ok)
        let atURL = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        #expect(!atURL.isEmpty && BlobHash.of(atURL) != text.sha256)

        // A server that serves other bytes under the address is caught.
        let blobSha256 = try #require(text.blobSha256)
        let file = try #require(storedFile(blobSha256, under: h.root.appendingPathComponent("blossom")))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.startIndex] ^= 0x01
        try bytes.write(to: file)
        let refusal = await #expect(throws: OutputError.self) {
            try await JobClient.fetch(text, dialCheck: DialCheck(allowLocal: true))
        }
        guard case .some(.altered) = refusal else {
            Issue.record("expected .altered, got \(String(describing: refusal))"); return
        }
        #expect(refusal?.description.contains("other bytes than the blob the result names") == true)

        // The result's money does not depend on its outputs.
        let bill = try #require(result.bill)
        #expect(try await client.receive(try #require(result.change)).amount == bill.changeSat)
        #expect(try await worker.desk.wallet(h.mint.httpURL)?.balance() == bill.chargedSat)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}

/// Blossom lists and serves blobs to anyone who knows the worker's key (it is
/// in the advertisement). Every blob listed there, fetched raw by its address,
/// must be ciphertext stored as `application/octet-stream`, and exactly the
/// blobs the result names.
func expectOnlyCiphertext(on h: Harness, outputs: [JobResult.Output], secrets: [String]) async throws {
    let blossom = BlossomClient(servers: [h.blossomURL])
    let listed = try await blossom.list(pubkey: h.workerKey.xOnlyPublicKey.hex)
    #expect(Set(listed.map(\.sha256)) == Set(outputs.compactMap(\.blobSha256)))
    #expect(outputs.allSatisfy { $0.encryption?.algorithm == BlobEncryption.aes256GCM && $0.blobSha256 != $0.sha256 })
    for descriptor in listed {
        #expect(descriptor.type == MediaType.fallback)
        let raw = try await blossom.download(descriptor.sha256)
        for secret in secrets {
            #expect(raw.range(of: Data(secret.utf8)) == nil, "a stored blob shows \"\(secret)\"")
        }
    }
}

/// The file a Blossom server's data directory keeps a blob in.
func storedFile(_ sha256: String, under root: URL) -> URL? {
    let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    while let url = files?.nextObject() as? URL {
        if url.lastPathComponent == sha256 { return url }
    }
    return nil
}
