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
    /// The end of a job also goes to the relays its request named.
    let clientRelays: ClientRelays
    private var last: [String: Last] = [:]
    /// Progress held back by the one-a-second rule, newest only.
    private var held: [String: (JobStatus, String)] = [:]
    /// Statuses signed, for tests and the snapshot.
    private(set) var published = 0

    init(pool: RelayPool, key: SecretKey, logger: Logger, clientRelays: ClientRelays? = nil) {
        self.pool = pool
        self.key = key
        self.logger = logger
        self.clientRelays = clientRelays ?? ClientRelays(workerRelays: pool.urls, logger: logger)
    }

    /// Signs and publishes `status` unless it is progress within the same
    /// state less than a second after the previous one. The event is signed
    /// (and its `created_at` fixed) in call order; the relay round trip runs
    /// on its own so a job never waits for it, except a final status, which
    /// returns once a relay took it (or all refused, which is logged: a
    /// status is not money).
    @discardableResult
    func publish(_ status: JobStatus, job: String, client: String) async -> Event? {
        let now = ContinuousClock.now
        if let previous = last[job], previous.state == status.status, !status.status.isTerminal,
           now - previous.at < .seconds(1) {
            // Coalesce: keep the newest and send it when the second is up,
            // unless the job has moved on by then.
            let flushing = held[job] != nil
            held[job] = (status, client)
            if !flushing {
                let wait = .seconds(1) - (now - previous.at)
                Task {
                    try? await Task.sleep(for: wait)
                    await self.flush(job)
                }
            }
            return nil
        }
        held[job] = nil
        let createdAt = JobStatus.nextCreatedAt(previous: last[job]?.createdAt, now: Event.now())
        last[job] = Last(state: status.status, createdAt: createdAt, at: now)
        let event: Event
        do { event = try status.sign(with: key, requestID: job, client: client, createdAt: createdAt) } catch {
            logger.error("status not signed", metadata: ["job": "\(job)", "error": "\(error)"])
            return nil
        }
        published += 1
        if status.status.isTerminal { last[job] = nil }
        let pool = self.pool, logger = self.logger
        let delivery = Task {
            do { _ = try await pool.publish(event) } catch {
                logger.warning("status not published", metadata: ["job": "\(job)", "status": "\(status.status)", "error": "\(error)"])
            }
        }
        if status.status.isTerminal { await delivery.value }
        return event
    }

    private func flush(_ job: String) async {
        guard let (status, client) = held.removeValue(forKey: job), last[job]?.state == status.status else { return }
        await publish(status, job: job, client: client)
    }
}
