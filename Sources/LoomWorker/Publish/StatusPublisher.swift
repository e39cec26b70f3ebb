import Foundation
import Logging
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// Publishes kind-30100 statuses: at most one per second per job for
/// progress within a state, every change of state at once, each with a
/// `created_at` after the job's previous one (relays keep the newest).
actor StatusPublisher {
    struct Last { var state: JobState; var createdAt: Int64; var at: ContinuousClock.Instant }

    let pool: RelayPool
    let key: SecretKey
    let logger: Logger
    /// Refusals on their way to the worker's relays.
    let refusals: Outbox
    /// The end of a job also goes to the relays its request named.
    let clientRelays: ClientRelays
    private var last: [String: Last] = [:]
    /// Progress held back by the one-a-second rule, newest only.
    private var held: [String: (JobStatus, String)] = [:]
    /// Statuses signed, for tests and the snapshot.
    private(set) var published = 0
    /// Refusals signed but not sent because the outbox was full.
    private(set) var refusalsDropped = 0

    init(
        pool: RelayPool, key: SecretKey, logger: Logger,
        clientRelays: ClientRelays? = nil, refusalQueue: Int = 1000, refusalSenders: Int = 8
    ) {
        self.pool = pool
        self.key = key
        self.logger = logger
        refusals = Outbox(pool: pool, capacity: refusalQueue, senders: refusalSenders, logger: logger)
        self.clientRelays = clientRelays ?? ClientRelays(workerRelays: pool.urls, logger: logger)
    }

    /// Signs and publishes `status` unless it is progress within the same
    /// state less than a second after the previous one. The event is signed
    /// (and its `created_at` fixed) in call order; the relay round trip runs
    /// on its own so a job never waits for it, except a paid job's final
    /// status, which returns once a relay took it (or all refused, which is
    /// logged: a status is not money). Callers on the intake path use
    /// `reject` instead, which never waits for a relay.
    @discardableResult
    func publish(_ status: JobStatus, job: String, client: String) async -> Event? {
        let now = ContinuousClock.now
        if let previous = last[job], previous.state == status.status, !status.status.isTerminal,
            now - previous.at < .seconds(1)
        {
            // Coalesce: keep the newest and send it when the second is up,
            // unless the job has moved on by then.
            let flushing = held[job] != nil
            held[job] = (status, client)
            if !flushing {
                let wait = .seconds(1) - (now - previous.at)
                // Unstructured: at most one per job, over within the second; the
                // job that published must not wait for it.
                Task {
                    try? await Task.sleep(for: wait)
                    await self.flush(job)
                }
            }
            return nil
        }
        guard let event = sign(status, job: job, client: client) else { return nil }
        let pool = self.pool, logger = self.logger
        // Unstructured so the job goes on meanwhile; bounded by the relays' publish timeout.
        let delivery = Task {
            do { _ = try await pool.publish(event) } catch {
                logger.warning(
                    "status not published", metadata: ["job": "\(job)", "status": "\(status.status)", "error": "\(error)"])
            }
        }
        if status.status.isTerminal { await delivery.value }
        return event
    }

    /// A `rejected` status, signed now and queued for the relays: a refusal
    /// costs intake no relay round trip, and a flood of them fills a bounded
    /// queue (then is dropped, counted) instead of piling up tasks.
    @discardableResult
    func reject(_ why: RequestRejection, job: String, client: String) -> Event? {
        guard let event = sign(.rejected(why), job: job, client: client) else { return nil }
        if !refusals.send(event) {
            refusalsDropped += 1
            logger.debug("refusal status dropped: outbox full", metadata: ["job": "\(job)"])
        }
        return event
    }

    private func sign(_ status: JobStatus, job: String, client: String) -> Event? {
        held[job] = nil
        let createdAt = JobStatus.nextCreatedAt(previous: last[job]?.createdAt, now: Event.now())
        last[job] = Last(state: status.status, createdAt: createdAt, at: ContinuousClock.now)
        let event: Event
        do { event = try status.sign(with: key, requestID: job, client: client, createdAt: createdAt) } catch {
            logger.error("status not signed", metadata: ["job": "\(job)", "error": "\(error)"])
            return nil
        }
        published += 1
        if status.status.isTerminal { last[job] = nil }
        return event
    }

    private func flush(_ job: String) async {
        guard let (status, client) = held.removeValue(forKey: job), last[job]?.state == status.status else { return }
        await publish(status, job: job, client: client)
    }
}

/// Events queued for the worker's relays and sent by a fixed number of
/// tasks: bounded in memory and in tasks however fast events come. `send`
/// refuses an event when the queue is full. The senders are children of
/// `run()`, which the worker runs while it serves; events queued before
/// (refusals during recovery) wait for it.
final class Outbox: Sendable {
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let pool: RelayPool
    private let senders: Int
    private let logger: Logger

    init(pool: RelayPool, capacity: Int, senders: Int, logger: Logger) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(capacity))
        self.pool = pool
        self.senders = max(senders, 1)
        self.logger = logger
    }

    deinit { continuation.finish() }

    /// Sends queued events until cancelled. Run it once: the queue has one reader.
    func run() async {
        let pool = self.pool, logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            var sending = 0
            for await event in events {
                if sending == senders {
                    await group.next()
                    sending -= 1
                }
                sending += 1
                group.addTask {
                    do { _ = try await pool.publish(event) } catch {
                        logger.debug("queued event not published", metadata: ["id": "\(event.id)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Queues `event`; false when the queue is full (the event is not sent).
    func send(_ event: Event) -> Bool {
        if case .enqueued = continuation.yield(event) { return true }
        return false
    }
}
