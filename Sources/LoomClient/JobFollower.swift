import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// A job's public progress, as its latest status says.
public struct JobProgress: Sendable, Hashable, Codable {
    public var jobID: String
    public var state: JobState
    public var elapsedMs: UInt64
    public var budgetSeconds: UInt64?
    public var tokens: UInt64
    public var costMsat: UInt64
    public var queuePosition: Int?
    public var tokensPerSecond: Double?
    public var reason: Reason?
    /// The status event's `created_at`.
    public var at: Int64

    init(_ published: PublishedStatus) {
        let s = published.status
        jobID = published.requestID
        state = s.status
        elapsedMs = s.elapsedMs
        budgetSeconds = s.budgetSeconds
        tokens = s.tokens
        costMsat = s.costMsat
        queuePosition = s.queuePosition
        tokensPerSecond = s.tokensPerSecond
        reason = s.reason
        at = published.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", state = "status", elapsedMs = "elapsed_ms", budgetSeconds = "budget_seconds", tokens
        case costMsat = "cost_msat", queuePosition = "queue_position", tokensPerSecond = "tokens_per_second", reason, at
    }
}

/// One step of a followed job: new progress, or the end.
public enum JobUpdate: Sendable, Hashable {
    case progress(JobProgress)
    /// A live piece of the output (kind 20100), opened; only when asked for
    /// chunks. In the order the relays delivered them: `ChunkAssembler` orders them.
    case chunk(ReceivedChunk)
    /// The encrypted result, opened. Always the last update when it comes.
    case result(ReceivedResult)
    /// A result the worker signed for this job whose content breaks the
    /// protocol: the job is over, and it counts against the worker. Also last.
    case invalidResult(InvalidResult)
}

/// A result signed by the job's worker, for the job, that does not validate.
public struct InvalidResult: Sendable, Hashable {
    public let eventID: String
    /// What is wrong with it, naming the field (never its value).
    public let reason: String
    /// The change token it carried, when it holds one: still redeemed.
    public let change: String?
}

/// Keeps the newest status of a job and refuses to go back: relays may
/// deliver an older status late, and a final state stays final (PROTOCOL.md,
/// "Publishing rules").
struct StatusTracker {
    private(set) var latest: JobProgress?

    mutating func accept(_ progress: JobProgress) -> Bool {
        if let latest {
            if latest.state.isTerminal { return false }
            if progress.at < latest.at { return false }
            if progress == latest { return false }
            if progress.state != latest.state, !latest.state.canMove(to: progress.state), progress.at == latest.at {
                return false
            }
        }
        latest = progress
        return true
    }
}

extension JobClient {
    /// Status (30100, `#d` = job) and result (5101, `#e` = job) events of
    /// one job from `worker`. Ends after the result, or at `rejected` (a
    /// rejected job may have no result), or when the caller stops iterating.
    /// With `readsResult` false (someone else's job: its result is encrypted
    /// to its author), only statuses are read and any final state ends it.
    /// The worker's own relays (from the journal) are read too, in case it
    /// answers only there.
    ///
    /// With `chunks`, the job's live output (20100, `#e` = job, `#p` = us)
    /// is read too. Relays keep no ephemeral events, so only chunks sent
    /// after the subscription arrive: `subscribed` is called once the
    /// subscription is far enough along that a request published next cannot
    /// overtake it, so a caller can wait for it before it publishes. On the
    /// client's own pool that is as soon as REQ is queued: the request goes
    /// out after it on the same sockets, and a relay reads one socket's
    /// messages in order (a chunk only comes after a worker's whole round
    /// trip besides). With the worker's other relays on a new connection of
    /// their own, it is the first relay's EOSE, as the request reaches those
    /// relays on another socket.
    public func updates(
        jobID: String, worker: String, readsResult: Bool = true, chunks: Bool = false,
        subscribed: (@Sendable () -> Void)? = nil
    ) -> AsyncStream<JobUpdate> {
        let status = Filter(authors: [worker], kinds: [LoomKind.jobStatus.rawValue], tags: ["d": [jobID]])
        let result = Filter(authors: [worker], kinds: [LoomKind.jobResult.rawValue], tags: ["e": [jobID]])
        let live = Filter(authors: [worker], kinds: [LoomKind.jobChunk.rawValue], tags: ["e": [jobID], "p": [pubkey]])
        let filters = (readsResult ? [status, result] : [status]) + (readsResult && chunks ? [live] : [])
        let conversationKey = chunks ? (try? XOnlyPublicKey(hex: worker)).map { NIP44.conversationKey(self.key, $0) } : nil
        let extra = (journal.load(jobID)?.workerRelays ?? []).filter { !self.pool.urls.contains($0) }
        let key = self.key, logger = self.logger
        return AsyncStream { continuation in
            let task = Task {
                let allowed = extra.isEmpty ? [] : await self.dialable(extra, schemes: ["ws", "wss"])
                let widened = allowed.isEmpty ? nil : try? RelayPool(urls: self.pool.urls + allowed, logger: logger)
                let pool = widened ?? self.pool
                defer { if let widened { Task { await widened.close() } } }
                await pool.connect()
                // On our own pool the request is published on the same sockets: queued REQs are enough.
                let early: (@Sendable () -> Void)? = widened == nil ? subscribed : nil
                let subscription = pool.subscribe(filters, requested: early)
                var tracker = StatusTracker()
                var announced = early != nil
                for await item in subscription {
                    if case .endOfStoredEvents = item, !announced {
                        announced = true
                        subscribed?()
                    }
                    guard case .event(let event, _) = item, event.pubkey == worker else { continue }
                    switch event.kind {
                    case LoomKind.jobChunk.rawValue:
                        do {
                            let chunk = try JobChunk.open(
                                event, clientKey: key, worker: worker, requestID: jobID, conversationKey: conversationKey)
                            continuation.yield(.chunk(chunk))
                        } catch {
                            logger.debug(
                                "ignoring a chunk that does not open", metadata: ["job": "\(jobID)", "error": "\(error)"])
                        }
                    case LoomKind.jobStatus.rawValue:
                        guard let status = try? JobStatus.parse(event), status.requestID == jobID else { continue }
                        let progress = JobProgress(status)
                        guard tracker.accept(progress) else { continue }
                        continuation.yield(.progress(progress))
                        if progress.state == .rejected || (!readsResult && progress.state.isTerminal) {
                            continuation.finish(); return
                        }
                    case LoomKind.jobResult.rawValue:
                        do {
                            switch try JobResult.read(event, clientKey: key, worker: worker, requestID: jobID) {
                            case .valid(let result): continuation.yield(.result(result))
                            case .invalid(let why, let change):
                                continuation.yield(
                                    .invalidResult(InvalidResult(eventID: event.id, reason: why.description, change: change)))
                            }
                            continuation.finish()
                            return
                        } catch {
                            logger.warning(
                                "ignoring a result that does not open", metadata: ["job": "\(jobID)", "error": "\(error)"])
                        }
                    default: continue
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
