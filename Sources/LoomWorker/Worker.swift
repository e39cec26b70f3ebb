import BlossomClient
import CashuWallet
import Foundation
import Inference
import Logging
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// The worker: takes prepaid job requests from the relays, swaps the
/// payment, runs the job for the seconds paid, uploads the output, returns
/// the change and publishes status all the way.
///
/// One actor owns the mutable state (the seen set, the scheduler, live
/// jobs); the journal is the source of truth for money and is written
/// before every network call that depends on it.
public actor Worker {
    public nonisolated let configuration: WorkerConfiguration
    /// The worker's relays, shared with the advertiser and the whitelist.
    public nonisolated let pool: RelayPool
    public nonisolated let journal: JobJournal
    nonisolated let access: any AccessPolicy
    nonisolated let gate: AccessGate
    nonisolated let backend: any InferenceBackend
    nonisolated let logger: Logger
    nonisolated let desk: PaymentDesk
    nonisolated let statuses: StatusPublisher
    nonisolated let blossom: BlossomClient
    nonisolated let opener: RequestOpener
    nonisolated let workerHex: String

    var scheduler: Scheduler
    /// Request ids seen by this process; the journal covers earlier runs.
    var seen: Set<String> = []
    var live: [String: LiveJob] = [:]
    var tasks: [String: Task<Void, Never>] = [:]
    var offered: Set<String> = []
    var modelsCheckedAt: ContinuousClock.Instant?
    /// The backend's model list being fetched now; callers meanwhile wait for it.
    var modelsRefresh: Task<Void, Never>?
    var accepting = true
    var intake: Task<Void, Never>?
    var retries: Task<Void, Never>?
    /// Payments being swapped right now; shutdown waits for them.
    var paying = 0
    /// How often unsettled jobs are retried while serving (`RETRY_INTERVAL`; tests shorten it).
    var retryInterval: Duration
    var dropped = 0
    var rejected = 0
    var stopped: [CheckedContinuation<Void, Never>] = []
    var isStopped = false

    struct LiveJob {
        var opened: OpenedRequest
        let control = RunControl()
    }

    /// `mintConnector` replaces the HTTP mint client (tests inject mint faults there).
    public init(configuration: WorkerConfiguration, access: any AccessPolicy, backend: any InferenceBackend, logger: Logger,
                mintConnector: (@Sendable (String) -> any MintConnector)? = nil) throws {
        self.configuration = configuration
        self.access = access
        gate = AccessGate(access)
        self.backend = backend
        self.logger = logger
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        pool = try RelayPool(urls: configuration.relays, logger: logger)
        journal = try JobJournal(path: configuration.dataDirectory.appendingPathComponent("jobs.sqlite").path)
        desk = try PaymentDesk(mints: configuration.mints, dataDirectory: configuration.dataDirectory,
                               lockKey: configuration.secretKey, mintTimeout: configuration.mintTimeout,
                               crashPoint: configuration.crashPoint, connect: mintConnector)
        statuses = StatusPublisher(pool: pool, key: configuration.secretKey, logger: logger)
        blossom = BlossomClient(servers: configuration.blossomServers, key: configuration.secretKey)
        opener = RequestOpener(workerKey: configuration.secretKey, maxEventBytes: configuration.maxRequestBytes,
                               optionLimits: configuration.optionLimits)
        workerHex = configuration.secretKey.xOnlyPublicKey.hex
        scheduler = Scheduler(maxRunning: configuration.maxConcurrentJobs, maxQueue: configuration.maxQueue)
        retryInterval = configuration.retryInterval
    }

    /// Connects, settles what a previous run left, then serves until `shutdown`.
    public func run() async throws {
        await pool.connect()
        await refreshModels(force: true)
        await recover()
        let gate = self.gate
        let subscription = pool.subscribe([Filter(
            kinds: [LoomKind.jobRequest.rawValue, LoomKind.jobCancel.rawValue],
            tags: ["p": [workerHex]], since: Event.now() - Self.lookBack)], admit: { gate.admits($0) })
        logger.info("worker serving", metadata: [
            "pubkey": "\(workerHex)", "relays": "\(configuration.relays.count)", "models": "\(offered.sorted())",
        ])
        intake = Task { [weak self] in
            for await item in subscription {
                guard let self else { return }
                if case .event(let event, _) = item { await self.receive(event) }
            }
        }
        retries = Task { [weak self] in
            // Ticks each second so a changed interval takes effect at once.
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                if ContinuousClock.now - last >= (await self.retryInterval) {
                    last = ContinuousClock.now
                    await self.retryUnsettled()
                }
            }
        }
        // Cancelling the task that runs the worker (a service group does) is a graceful shutdown.
        await withTaskCancellationHandler {
            if !isStopped { await withCheckedContinuation { stopped.append($0) } }
        } onCancel: {
            Task { await self.shutdown() }
        }
    }

    /// Requests this old are still read at start: ones sent while the worker
    /// was down. The journal keeps any from being taken twice.
    static let lookBack: Int64 = 3600

    /// Stops taking jobs, lets running ones finish within the configured grace, refunds the queue.
    public func shutdown() async { await shutdown(grace: configuration.shutdownGrace) }

    public func snapshot() -> WorkerSnapshot {
        let earned = (try? journal.earnings()) ?? (jobs: 0, sat: 0)
        return WorkerSnapshot(running: scheduler.running.count, queued: scheduler.queue.count, jobsDone: earned.jobs,
                              earningsSat: earned.sat, rejected: rejected, dropped: dropped + gate.refusedCount, accepting: accepting)
    }

    public func capacity() -> Advertisement.Capacity {
        Advertisement.Capacity(maxConcurrent: scheduler.maxRunning, running: scheduler.running.count,
                               queued: scheduler.queue.count, maxQueue: configuration.maxQueue)
    }

    /// The models offered: the backend's, filtered by `configuration.models`.
    public func models() async -> [String] {
        await refreshModels()
        return offered.sorted()
    }

    /// Asks the backend at most every 10 s (a request for an unknown model
    /// triggers a check, so a model pulled a moment ago is found). A caller
    /// arriving while the backend is being asked waits for that answer: at
    /// start, the advertiser would otherwise take the still-empty set and
    /// advertise the worker offline.
    func refreshModels(force: Bool = false) async {
        if let running = modelsRefresh { return await running.value }
        if !force, let at = modelsCheckedAt, ContinuousClock.now - at < .seconds(10) { return }
        modelsCheckedAt = ContinuousClock.now
        let refresh = Task { await self.listModels() }
        modelsRefresh = refresh
        await refresh.value
    }

    private func listModels() async {
        defer { modelsRefresh = nil }
        do {
            let names = Set(try await backend.models().map(\.name))
            offered = configuration.models.map { names.intersection($0) } ?? names
        } catch {
            logger.warning("backend models not listed", metadata: ["error": "\(error)"])
        }
    }

    var terms: WorkerTerms {
        WorkerTerms(models: offered, mints: configuration.mints, rate: configuration.rate,
                    worker: configuration.secretKey.xOnlyPublicKey)
    }

    func wake() {
        isStopped = true
        for c in stopped { c.resume() }
        stopped.removeAll()
    }
}

/// What `loom worker status` and the advertiser show.
public struct WorkerSnapshot: Sendable, Hashable, Codable {
    public var running: Int
    public var queued: Int
    /// Jobs settled with a bill (completed, failed, cancelled).
    public var jobsDone: Int
    /// Sats charged over all settled jobs.
    public var earningsSat: UInt64
    /// Requests refused with a status.
    public var rejected: Int
    /// Requests dropped silently (not for this worker, not allowed, too large, bad signature).
    public var dropped: Int
    public var accepting: Bool
}
