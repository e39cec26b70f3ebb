import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import NostrRelay
import Testing
@testable import LoomWorker

/// The relays a request names get the end of the job too, within limits.
@Suite(.serialized)
struct ClientRelaysTests {
    @Test func onlyWebSocketRelaysAndNoLocalAddressesForAPublicWorker() {
        let mine = ["wss://relay.example.com"]
        let asked = ["wss://relay.example.com/", "https://not-a-relay.example", "ws://127.0.0.1:7000", "wss://10.0.0.8",
                     "wss://192.168.1.2", "ws://localhost:8080", "wss://a.example", "wss://b.example", "wss://c.example",
                     "wss://d.example"]
        #expect(ClientRelays.targets(asked, workerRelays: mine) == ["wss://a.example", "wss://b.example", "wss://c.example"])
    }

    @Test func aWorkerOnLocalRelaysMayAnswerOnLocalRelays() {
        #expect(ClientRelays.targets(["ws://127.0.0.1:7001"], workerRelays: ["ws://127.0.0.1:7000"]) == ["ws://127.0.0.1:7001"])
        #expect(ClientRelays.isLocal("172.20.1.1"))
        #expect(!ClientRelays.isLocal("172.32.1.1"))
        #expect(!ClientRelays.isLocal("relay.example.com"))
    }

    @Test func theResultAlsoReachesTheRelaysTheRequestNamed() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let theirs = try await TestRelay(maxEventSize: 262_144)
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(40)
        let token = try await client.send(20)
        let event = try h.prompt(token.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey, relays: [theirs.url])
        // The client listens on its own relay only.
        let listening = try RelayPool(urls: [theirs.url])
        await listening.connect()
        let watcher = Watcher(pool: listening, requestID: event.id, clientKey: h.clientKey, worker: h.workerKey.xOnlyPublicKey.hex)
        _ = try await h.clientPool.publish(event)
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        _ = try await watcher.status(.completed)
        #expect(try await client.receive(try #require(result.change)).amount == result.bill?.changeSat)
        await listening.close()
        await worker.shutdown()
        try await serving.value
    }
}
