import Cashu
import Foundation
import Nostr
import Secp256k1
import Testing

@testable import LoomProtocol

@Suite struct JobRequestTests {
    let opener = RequestOpener(workerKey: Fixture.worker)

    @Test func sealedRequestOpensForTheWorker() throws {
        let request = try Fixture.request()
        let event = try Fixture.sealed(request)
        #expect(event.kind == 5100)
        #expect(event.tagValues("p") == [Fixture.worker.xOnlyPublicKey.hex])
        #expect(event.firstTag("encrypted") == ["encrypted"])
        #expect(event.firstTag("relays") == ["relays", "wss://relay.example.com"])
        #expect(!event.content.contains("cashu") && !event.content.contains("sky"))

        let opened = try opener.open(event, now: Fixture.now)
        #expect(opened.request == request)
        #expect(opened.id == event.id)
        #expect(opened.client == Fixture.client.xOnlyPublicKey.hex)
        #expect(opened.relays == ["wss://relay.example.com"])
        #expect(opened.expiresAt == Fixture.now + 600)
    }

    @Test func promptFormAndDefaultsRoundTrip() throws {
        let request = JobRequest(model: "qwen2.5:7b", input: .prompt("Say hi"), payment: try Fixture.token([8]))
        let opened = try JobRequest.open(try Fixture.sealed(request, expiresAt: nil), workerKey: Fixture.worker, now: Fixture.now)
        #expect(opened.request == request)
        #expect(opened.expiresAt == nil && !opened.request.lockChange && opened.request.maxSeconds == nil)
    }

    @Test func aThirdKeyCannotOpenARequest() throws {
        let event = try Fixture.sealed()
        // Addressed to the worker: a stranger's opener stops at the p tag…
        #expect(throws: RequestRejection.wrongWorker) {
            try RequestOpener(workerKey: Fixture.stranger).open(event, now: Fixture.now)
        }
        // …and cannot decrypt the content either, even by calling NIP-44 directly.
        #expect(throws: NIP44Error.invalidMAC) {
            try NIP44.decrypt(event.content, to: Fixture.stranger, from: Fixture.client.xOnlyPublicKey)
        }
        // Re-addressing the same ciphertext to itself does not help the stranger.
        let readdressed = try Fixture.rawRequest(
            content: event.content, tags: [["p", Fixture.stranger.xOnlyPublicKey.hex], ["encrypted"]])
        #expect(throws: RequestRejection.undecryptable) {
            try RequestOpener(workerKey: Fixture.stranger).open(readdressed, now: Fixture.now)
        }
    }

    @Test func descriptionsRedactPromptAndPayment() throws {
        let request = try Fixture.request()
        for text in [
            String(describing: request), String(reflecting: request),
            {
                var s = ""; dump(request, to: &s); return s
            }(),
        ] {
            #expect(!text.contains("cashu") && !text.contains("sky"), "\(text)")
        }
    }

    @Test func sealRefusesARequestWithoutPayment() throws {
        var request = try Fixture.request()
        request.payment = ""
        #expect(throws: RequestRejection.paymentMissing) { try Fixture.sealed(request) }
    }
}
