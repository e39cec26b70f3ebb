import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
@_spi(Bench) import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// Intake against relays that misbehave: one that re-serves a request with
/// its id upper-cased, one that never answers OK.
@Suite(.serialized)
struct IntakeHardeningTests {
    /// NIP-01 ids are lower-case. Upper-cased, the same id is another string
    /// to every dedupe and journal: the worker would take the token under
    /// that spelling, and the genuine request would then find it spent.
    @Test func aCopyWithItsIDUpperCasedIsDroppedAndTheGenuineRequestServed() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(40)
        let token = try await client.send(20)
        let genuine = try h.prompt(token.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let shouted = Event(
            id: genuine.id.uppercased(), pubkey: genuine.pubkey, createdAt: genuine.createdAt, kind: genuine.kind,
            tags: genuine.tags, content: genuine.content, sig: genuine.sig)

        // The relay sends the upper-cased copy first, on the worker's subscription.
        let connection = worker.pool.connections[0]
        let subscription = try #require(await worker.pool.subscriptionID(matching: genuine, relay: h.relay.url))
        await worker.pool.inject(Data(#"["EVENT","\#(subscription)",\#(shouted.json)]"#.utf8), relay: h.relay.url)
        let settled = try await eventually {
            let dropped = await connection.statistics.droppedInvalid == 1
            let journaled = try worker.journal.job(shouted.id) != nil
            return dropped || journaled
        }
        #expect(settled)

        let watcher = h.watch(genuine.id)
        _ = try await h.clientPool.publish(genuine)
        _ = try await eventually { watcher.states.contains { $0.isTerminal } }
        #expect(watcher.states.last == .completed, "\(watcher.statuses.map(\.status))")
        #expect(try worker.journal.job(shouted.id) == nil, "the copy was never journaled")
        #expect(try worker.journal.job(genuine.id)?.state == .completed)
        #expect(await connection.statistics.droppedInvalid == 1)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    /// Refusals are answered off the intake path: behind a relay that never
    /// says OK, each one used to hold intake for the whole publish timeout
    /// (10 s), so a few of them kept a paid request waiting for minutes.
    @Test func refusalsOnARelayThatNeverAnswersOKDoNotHoldUpAPaidRequest() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let mute = try await TestMuteRelay(upstream: h.relay)
        let (worker, serving) = try await h.startWorker(h.configuration(relays: [mute.url]))
        let client = try await h.clientWallet(40)

        // Free to send: each is refused (`expired`) before anything is decrypted.
        let refused = try (0..<15).map { _ in
            try h.prompt("cashuBnotarealtoken").seal(
                from: h.clientKey, to: h.workerKey.xOnlyPublicKey, expiresAt: Event.now() - 5)
        }
        for event in refused { _ = try await h.clientPool.publish(event) }
        let token = try await client.send(20)
        let paid = try h.prompt(token.token).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(paid.id)
        _ = try await h.clientPool.publish(paid)

        // Served as if the refusals were not there; the refusals are answered too.
        let result = try await watcher.result(within: .seconds(60)).result
        #expect(result.status == .completed)
        for event in refused { #expect(try worker.journal.job(event.id)?.state == .rejected) }
        let rejected = RejectedStatuses(pool: h.clientPool, ids: refused.map(\.id))
        let answered = try await eventually { rejected.count == refused.count }
        #expect(answered, "every refusal's status reached the relay")
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    /// However fast refusals come, their statuses wait in a bounded queue
    /// drained by a fixed number of senders; beyond it they are dropped and
    /// counted (the journal still has each refusal).
    @Test func refusalStatusesQueueWithinABound() async throws {
        // Nothing listens on that port: every publish waits out its timeout.
        let pool = try RelayPool(
            urls: ["ws://127.0.0.1:\(try TestRelay.unusedPort())"],
            configuration: RelayConfiguration(publishTimeout: .seconds(60)), logger: Harness.logger)
        await pool.connect()
        let statuses = StatusPublisher(
            pool: pool, key: SecretKey.generate(), logger: Harness.logger,
            refusalQueue: 5, refusalSenders: 2)
        let client = SecretKey.generate().xOnlyPublicKey.hex
        var signed = 0
        for i in 0..<50 {
            let job = String(repeating: "0", count: 62) + String(format: "%02x", i)
            if await statuses.reject(.workerBusy, job: job, client: client) != nil { signed += 1 }
        }
        #expect(signed == 50, "every refusal is signed (the caller may send it elsewhere)")
        let dropped = await statuses.refusalsDropped
        // At most the queue, the senders, and the one the drain holds while it waits for a sender.
        #expect(dropped >= 50 - (5 + 2 + 1) && dropped <= 50 - 5, "\(dropped) dropped")
        await pool.close()
    }
}

/// The requests among `ids` whose `rejected` status reached the relay.
final class RejectedStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []
    private var task: Task<Void, Never>?

    init(pool: RelayPool, ids: [String]) {
        let subscription = pool.subscribe([Filter(kinds: [LoomKind.jobStatus.rawValue], tags: ["e": ids])])
        task = Task { [weak self] in
            for await item in subscription {
                guard case .event(let event, _) = item, let status = try? JobStatus.parse(event),
                    status.status.status == .rejected, let self
                else { continue }
                self.lock.withLock { _ = self.seen.insert(status.requestID) }
            }
        }
    }

    deinit { task?.cancel() }

    var count: Int { lock.withLock { seen.count } }
}
