import Foundation
import LoomProtocol
import LoomTestSupport
import Nostr
@_spi(Bench) import NostrRelay
import Testing
@testable import LoomWorker

/// Intake against relays that misbehave.
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
        let shouted = Event(id: genuine.id.uppercased(), pubkey: genuine.pubkey, createdAt: genuine.createdAt, kind: genuine.kind,
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
    }
}
