import AddressSafety
import Foundation
import Logging
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// The relays a request names get the end of the job too, delivered to real
/// relays (LoomWorkerTests has the checks on the addresses and the slots).
@Suite(.serialized)
struct ClientRelaysTests {
    static let quiet: Logger = {
        var l = Logger(label: "test.client-relays"); l.logLevel = .critical; return l
    }()

    /// Refusals cost the client nothing, so they get no connection of their
    /// own once the cap is reached, and never more than one relay.
    @Test func refusalsTakeOneSlotOrNone() async throws {
        let dead = try (0..<3).map { _ in "ws://127.0.0.1:\(try TestRelay.unusedPort())" }
        let relays = ClientRelays(
            workerRelays: ["ws://127.0.0.1:1"], resolver: FakeResolver([:]), maxConcurrent: 2, logger: Self.quiet)
        let status = try JobStatus.rejected(.expired(at: 1)).sign(
            with: SecretKey.generate(), requestID: String(repeating: "a", count: 64),
            client: SecretKey.generate().xOnlyPublicKey.hex)
        // Nothing answers on those ports: each delivery holds its slot while it retries.
        let started = (0..<10).filter { _ in relays.deliverRefusal([status], to: dead) }
        #expect(started.count == 2)
        #expect(relays.slots.inUse == 2)
    }

    @Test func aRefusalGoesToTheFirstOfTheClientsRelaysOnly() async throws {
        async let a = TestRelay()
        async let b = TestRelay()
        async let c = TestRelay()
        let theirs = try await [a, b, c]
        let relays = ClientRelays(workerRelays: ["ws://127.0.0.1:1"], resolver: FakeResolver([:]), logger: Self.quiet)
        let key = SecretKey.generate()
        let status = try JobStatus.rejected(.workerBusy).sign(
            with: key, requestID: String(repeating: "b", count: 64),
            client: SecretKey.generate().xOnlyPublicKey.hex)
        #expect(relays.deliverRefusal([status], to: theirs.map(\.url)))
        func stored(_ relay: TestRelay) async throws -> Bool {
            let pool = try RelayPool(urls: [relay.url])
            await pool.connect()
            defer { Task { await pool.close() } }
            for await item in pool.subscribe([Filter(ids: [status.id])]) {
                switch item {
                case .event: return true
                case .endOfStoredEvents, .closed: return false
                }
            }
            return false
        }
        #expect(try await eventually { try await stored(theirs[0]) })
        try await Task.sleep(for: .seconds(1))
        let second = try await stored(theirs[1]), third = try await stored(theirs[2])
        #expect(!second && !third, "a refusal fanned out to more than one client relay")
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
        let watcher = Watcher(
            pool: listening, requestID: event.id, clientKey: h.clientKey, worker: h.workerKey.xOnlyPublicKey.hex)
        _ = try await h.clientPool.publish(event)
        let result = try await watcher.result().result
        #expect(result.status == .completed)
        _ = try await watcher.status(.completed)
        #expect(try await client.receive(try #require(result.change)).amount == result.bill?.changeSat)
        await listening.close()
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
