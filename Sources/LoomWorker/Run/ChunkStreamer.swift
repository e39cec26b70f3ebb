import Logging
import LoomProtocol
import NIOConcurrencyHelpers
import Nostr
import NostrRelay
import Secp256k1

/// Sends one streamed job's output live, as encrypted kind-20100 chunks
/// (docs/PROTOCOL.md, "20100 Job chunk"), while the job runs.
///
/// The job never waits for it: tokens enter through `add`, which takes a
/// lock and returns; a `ChunkCoalescer` groups them; one sender signs,
/// encrypts and publishes the chunks in order from a bounded queue. When
/// the relays fall behind and the queue is full, a chunk is dropped (and
/// counted): the client sees the gap in `seq` and takes the text from the
/// result, which stays authoritative. The NIP-44 conversation key is
/// computed once per job, not per chunk.
final class ChunkStreamer: Sendable {
    /// Chunks waiting for the relay: at five a second, about ten seconds.
    static let queueCapacity = 64
    static let publishTimeout: Duration = .seconds(5)

    let job: String
    private let client: XOnlyPublicKey
    private let key: SecretKey
    private let conversationKey: [UInt8]
    private let pool: RelayPool
    private let logger: Logger
    private let start = ContinuousClock.now
    private let coalescer = NIOLockedValueBox(ChunkCoalescer())
    private let counts = NIOLockedValueBox((sent: 0, dropped: 0))
    private let chunks: AsyncStream<JobChunk>
    private let queue: AsyncStream<JobChunk>.Continuation
    /// Rung when text starts waiting, so the timer sleeps only while some does.
    private let wakeups: AsyncStream<Void>
    private let bell: AsyncStream<Void>.Continuation

    init(job: String, client: XOnlyPublicKey, key: SecretKey, pool: RelayPool, logger: Logger) {
        self.job = job
        self.client = client
        self.key = key
        conversationKey = NIP44.conversationKey(key, client)
        self.pool = pool
        self.logger = logger
        (chunks, queue) = AsyncStream.makeStream(of: JobChunk.self, bufferingPolicy: .bufferingOldest(Self.queueCapacity))
        (wakeups, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Chunks published and chunks dropped so far.
    var sent: (sent: Int, dropped: Int) { counts.withLockedValue { $0 } }

    /// One token's text from the runner's loop; never waits.
    func add(_ text: String, at elapsedMs: UInt64) {
        let (chunk, armed) = coalescer.withLockedValue { c -> (JobChunk?, Bool) in
            let waiting = c.deadline != nil
            let chunk = c.append(text, at: elapsedMs)
            return (chunk, !waiting && c.deadline != nil)
        }
        if let chunk { enqueue(chunk) }
        if armed { bell.yield() }
    }

    /// The generation ended: the text still waiting goes out, then the queue closes.
    func finish() {
        if let last = coalescer.withLockedValue({ $0.finish() }) { enqueue(last) }
        queue.finish()
        bell.finish()
    }

    /// Sends until `finish` and the queue is empty, or until cancelled
    /// (the result is out: a chunk after it would tell the client nothing).
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tick() }
            for await chunk in chunks {
                guard !Task.isCancelled else { break }
                await publish(chunk)
            }
            group.cancelAll()
        }
        let (sent, dropped) = self.sent
        logger.debug("job chunks done", metadata: ["job": "\(job)", "sent": "\(sent)", "dropped": "\(dropped)"])
    }

    /// Flushes waiting text at its deadline when no token comes to do it.
    private func tick() async {
        for await _ in wakeups {
            while let deadline = coalescer.withLockedValue({ $0.deadline }) {
                do { try await Task.sleep(until: start + .milliseconds(deadline)) } catch { return }
                let now = Self.milliseconds(ContinuousClock.now - start)
                if let chunk = coalescer.withLockedValue({ $0.flush(at: now) }) { enqueue(chunk) }
            }
        }
    }

    private func enqueue(_ chunk: JobChunk) {
        if case .enqueued = queue.yield(chunk) { return }
        counts.withLockedValue { $0.dropped += 1 }
        logger.debug("job chunk dropped: queue full", metadata: ["job": "\(job)", "seq": "\(chunk.seq)"])
    }

    private func publish(_ chunk: JobChunk) async {
        do {
            let event = try chunk.seal(requestID: job, to: client, from: key, conversationKey: conversationKey)
            _ = try await pool.publish(event, timeout: Self.publishTimeout)
            counts.withLockedValue { $0.sent += 1 }
        } catch {
            counts.withLockedValue { $0.dropped += 1 }
            logger.debug("job chunk not published", metadata: ["job": "\(job)", "chunk": "\(chunk)", "error": "\(error)"])
        }
    }

    static func milliseconds(_ d: Duration) -> UInt64 {
        UInt64(max(0, d.components.seconds)) * 1000 + UInt64(max(0, d.components.attoseconds) / 1_000_000_000_000_000)
    }
}
