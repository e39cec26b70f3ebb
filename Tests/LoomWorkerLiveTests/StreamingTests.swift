import Foundation
import LoomClient
import LoomProtocol
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// Live output (kind 20100) from the real worker to `JobClient.submitStreaming`
/// through a real relay, and the fall-back to the result when no chunk arrives.
@Suite(.serialized)
struct StreamingTests {
    static let reply = "Blue light has a short wave, so the air scatters it across the whole sky, far more than red."

    /// A client of the harness's worker: its key, a journal and a funded wallet.
    func makeClient(_ h: Harness, relays: [String]) async throws -> JobClient {
        let dir = h.root.appendingPathComponent("client-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return JobClient(
            key: h.clientKey, pool: try RelayPool(urls: relays), journal: try ClientJournal(dataDirectory: dir),
            wallet: try await h.clientWallet(64))
    }

    /// The worker's offer as a client reads it from the relays.
    func offer(_ h: Harness) throws -> WorkerOffer {
        let ad = Advertisement(
            name: "streamer", backends: [.init(name: "ollama", models: [Harness.model])], pricing: Harness.rate,
            mints: [h.mint.httpURL], blossom: [h.blossomURL.absoluteString], relays: [h.relay.url],
            capacity: .init(maxConcurrent: 1), hardware: .init(chipFamily: "x86_64", memoryTier: .gb16),
            software: .init(version: "0.1.0-test"))
        return try Advertisement.parse(try ad.sign(with: h.workerKey))
    }

    func collect(_ events: AsyncThrowingStream<JobStreamEvent, any Error>) async throws -> [JobStreamEvent] {
        var all: [JobStreamEvent] = []
        for try await event in events { all.append(event) }
        return all
    }

    @Test func streamedJobDeliversItsChunksInOrderAndTheyMakeTheOutput() async throws {
        let h = try await Harness(ollamaArguments: ["--tokens-per-second", "40", "--reply", Self.reply])
        let (worker, serving) = try await h.startWorker(h.configuration())
        // A stranger on the same relay sees the chunks go by and reads nothing.
        let stranger = SecretKey.generate()
        let seen = h.clientPool.subscribe([Filter(kinds: [LoomKind.jobChunk.rawValue])])
        let client = try await makeClient(h, relays: [h.relay.url])

        let streaming = try await client.submitStreaming(
            JobOrder(model: Harness.model, input: .prompt("Why is the sky blue?"), seconds: 20), to: try offer(h),
            paying: .wallet())
        #expect(try JobRequest.open(streaming.job.request, workerKey: h.workerKey).request.stream)
        let events = try await collect(streaming.events)

        let chunks = events.compactMap { (e: JobStreamEvent) -> JobChunk? in if case .chunk(let c) = e { c } else { nil } }
        guard case .result(let end)? = events.last else { Issue.record("no result: \(events)"); return }
        #expect(end.outcome.status == .completed)
        #expect(end.outcome.output == Self.reply)
        #expect(chunks.count >= 2, "the reply takes about 2 s at 40 tokens/s: several 200-ms chunks")
        #expect(chunks.map(\.seq) == Array(0..<UInt64(chunks.count)))
        #expect(!events.contains { if case .gap = $0 { true } else { false } })
        #expect(chunks.map(\.text).joined() == Self.reply)
        #expect(end.streamed == Self.reply && end.rest == "" && end.isComplete && end.chunksReceived == chunks.count)
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.tokens < $1.tokens && $0.elapsedMs <= $1.elapsedMs })
        // The chunks came while the job ran: before its final status.
        let firstChunk = try #require(events.firstIndex { if case .chunk = $0 { true } else { false } })
        let final = events.firstIndex { if case .status(let p) = $0 { p.state.isTerminal } else { false } }
        if let final { #expect(firstChunk < final) }

        var raw: [Event] = []
        let limit = Task {
            try? await Task.sleep(for: .seconds(30))
            seen.cancel()
        }
        for await item in seen {
            if case .event(let e, _) = item { raw.append(e) }
            if raw.count == chunks.count { break }
        }
        limit.cancel()
        #expect(raw.count == chunks.count)
        #expect(raw.allSatisfy { $0.pubkey == h.workerKey.xOnlyPublicKey.hex && $0.tagValues("e") == [streaming.job.jobID] })
        #expect(raw.allSatisfy { !$0.content.contains("scatter") && !$0.content.contains("Blue") })
        for event in raw {
            #expect(throws: LoomEventError.self) { try JobChunk.open(event, clientKey: stranger) }
        }
        await client.close()
        await worker.shutdown()
        _ = try? await serving.value
        await h.stop()
    }

    /// The worker's relay takes the chunks and passes none on: the client
    /// hears no chunk, and still ends with the whole output from the result.
    @Test func aClientThatHearsNoChunkStillGetsTheWholeOutput() async throws {
        let h = try await Harness(ollamaArguments: ["--tokens-per-second", "40", "--reply", Self.reply])
        let dropping = try await TestEphemeralDroppingRelay(upstream: h.relay)
        let (worker, serving) = try await h.startWorker(h.configuration(relays: [dropping.url]))
        let client = try await makeClient(h, relays: [h.relay.url])

        let streaming = try await client.submitStreaming(
            JobOrder(model: Harness.model, input: .prompt("Why is the sky blue?"), seconds: 20), to: try offer(h),
            paying: .wallet())
        let events = try await collect(streaming.events)

        #expect(!events.contains { if case .chunk = $0 { true } else { false } })
        guard case .result(let end)? = events.last else { Issue.record("no result: \(events)"); return }
        #expect(end.outcome.status == .completed)
        #expect(end.outcome.output == Self.reply)
        #expect(end.streamed == "" && end.chunksReceived == 0)
        #expect(end.rest == Self.reply && !end.isComplete)
        #expect(end.outcome.changeRedeemedSat != nil)
        await client.close()
        await worker.shutdown()
        _ = try? await serving.value
        await h.stop()
    }
}
