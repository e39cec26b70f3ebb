import Cashu
import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import CashuWallet
@testable import LoomWorker

/// Every refusal reaches the client as its own status, and takes nothing.
@Suite(.serialized)
struct RejectionTests {
    /// Lets nobody but `allowed` in, and counts how often it was asked.
    final class CountingAccess: AccessPolicy, @unchecked Sendable {
        let allowed: String
        private let lock = NSLock()
        private var _asked = 0
        init(allowed: String) { self.allowed = allowed }
        var asked: Int { lock.withLock { _asked } }
        func allows(_ pubkey: String) -> Bool {
            lock.withLock { _asked += 1 }
            return pubkey == allowed
        }
    }

    func expectRejected(
        _ h: Harness, _ event: Event, _ code: RequestRejection.Code,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let watcher = h.watch(event.id)
        let status = try await watcher.status(.rejected)
        #expect(status.status.reason?.code == code.rawValue, sourceLocation: sourceLocation)
        let message = status.status.reason?.message ?? ""
        #expect(message.count > 10, sourceLocation: sourceLocation)
    }

    @Test func refusalsEachHaveTheirOwnStatusAndTakeNothing() async throws {
        let h = try await Harness(inputFeePpk: 0)
        // At least 5 s at 1 sat/s: a 3-sat payment is too little.
        let rate = Rate(msatPerSecond: 1000, minSeconds: 5, maxSeconds: 60)
        let access = CountingAccess(allowed: h.clientKey.xOnlyPublicKey.hex)
        let (worker, serving) = try await h.startWorker(h.configuration(rate: rate), access: access)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let client = try await h.clientWallet(100)

        // Too little payment: refused before the mint is asked.
        let small = try await client.send(3)
        let underpaid = try await h.submit(h.prompt(small.token))
        try await expectRejected(h, underpaid, .underpaid)

        // A spent token: the mint says so at the swap; nothing is taken.
        let spentToken = try await client.send(10)
        _ = try await client.receive(spentToken.token)
        let spent = try await h.submit(h.prompt(spentToken.token))
        try await expectRejected(h, spent, .spent)

        // A token from a mint the worker does not accept.
        let otherMint = try await TestMint.start(inputFeePpk: 0)
        let stranger = try await h.clientWallet(20, on: otherMint)
        let foreign = try await stranger.send(10)
        let wrongMint = try await h.submit(h.prompt(foreign.token))
        try await expectRejected(h, wrongMint, .wrongMint)

        // An expired request.
        let late = try await client.send(10)
        let expired = try await h.submit(h.prompt(late.token), expiresAt: Event.now() - 5)
        try await expectRejected(h, expired, .expired)

        // A model the worker does not serve.
        let unknown = try await client.send(10)
        let unknownModel = try await h.submit(h.prompt(unknown.token, model: "no-such-model"))
        try await expectRejected(h, unknownModel, .unknownModel)

        // A token in clear text is public now: refused, and never redeemed by the worker.
        let exposed = try await client.send(10)
        let plain = try Event.sign(
            kind: LoomKind.jobRequest.rawValue,
            content: #"{"v":1,"model":"llama3.2:latest","prompt":"hi","payment":""# + exposed.token + #""}"#,
            tags: [["p", h.workerKey.xOnlyPublicKey.hex]], with: h.clientKey)
        _ = try await h.clientPool.publish(plain)
        try await expectRejected(h, plain, .clearTextPayment)

        // Nothing was taken: the worker's wallet never received anything, and
        // each refused token still belongs to the client.
        #expect(try await wallet.balance() == .zero)
        #expect(try await wallet.history().allSatisfy { $0.kind != "receive" || $0.state == "failed" })
        for token in [small.token, foreign.token, late.token, unknown.token, exposed.token] {
            let owner = token == foreign.token ? stranger : client
            #expect(try await owner.receive(token).amount > .zero)
        }
        for id in [underpaid.id, spent.id, wrongMint.id, expired.id, unknownModel.id, plain.id] {
            #expect(try worker.journal.job(id)?.state == .rejected)
            #expect(try worker.journal.job(id)?.requestEvent == nil, "a refused request keeps no token")
        }
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func aKeyOutsideTheWhitelistIsDroppedBeforeAnyMintCall() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let access = CountingAccess(allowed: h.clientKey.xOnlyPublicKey.hex)
        let (worker, serving) = try await h.startWorker(h.configuration(), access: access)
        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        let outsider = SecretKey.generate()
        let client = try await h.clientWallet(20)
        let token = try await client.send(10)
        let event = try await h.submit(h.prompt(token.token), from: outsider)

        #expect(try await eventually { await worker.snapshot().dropped >= 1 })
        #expect(access.asked >= 1)
        // Dropped by the relay connection's gate, before any signature check.
        #expect(await worker.pool.connections[0].statistics.droppedNotAdmitted == 1)
        #expect(await worker.pool.connections[0].statistics.droppedInvalid == 0)
        // No journal row, no wallet operation, no keyset fetch: the mint was never asked.
        #expect(try worker.journal.job(event.id) == nil)
        #expect(try await wallet.history().isEmpty)
        #expect(try await wallet.loadAllKeysets().isEmpty)
        #expect(try await client.receive(token.token).amount == 10, "the outsider's token was never touched")
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func oneRequestFromTwoRelaysRunsOnce() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let second = try await TestRelay(maxEventSize: 262_144)
        let (worker, serving) = try await h.startWorker(h.configuration(relays: [h.relay.url, second.url]))
        let client = try await h.clientWallet(40)
        let token = try await client.send(20)
        let event = try h.prompt(token.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        let other = try RelayPool(urls: [second.url])
        await other.connect()
        async let a = h.clientPool.publish(event)
        async let b = other.publish(event)
        _ = try await (a, b)
        let result = try await watcher.result()
        #expect(result.result.status == .completed)
        // Let any second copy arrive and be ignored.
        try await Task.sleep(for: .seconds(2))
        let stats = try await h.ollama.stats()
        #expect(stats.paths["/api/generate", default: 0] == 1, "\(stats.paths)")
        #expect(await worker.snapshot().jobsDone == 1)
        await other.close()
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
