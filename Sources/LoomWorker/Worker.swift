import BlossomClient
import CashuWallet
import Foundation
import Inference
import Logging
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1
import ServiceLifecycle

/// The worker: takes prepaid job requests from the relays, swaps the
/// payment, runs the job for the seconds paid, uploads the output, returns
/// the change and publishes status all the way.
///
/// One actor owns the mutable state (the seen set, the scheduler, live
/// jobs); the journal is the source of truth for money and is written
/// before every network call that depends on it.
public actor Worker: Service {
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
    /// Offered models the backend holds in memory, as of the last listing; nil when it cannot tell.
    var loaded: Set<String>?
    var modelsCheckedAt: ContinuousClock.Instant?
    /// The backend's model list being fetched now; callers meanwhile wait for it.
    /// Unstructured on purpose: callers from several tasks (the intake, the
    /// advertiser) share one fetch, which no one caller's cancellation may cut short.
    var modelsRefresh: Task<Void, Never>?
    /// The last model listing's error (nil once the backend answers), for the dashboard.
    var modelsError: String?
    var accepting = true
    /// False while the serving policy says not to serve (`Worker+Serving.swift`);
    /// `accepting` is shutdown's alone.
    var servingOpen = true
    /// The policy's reason while `servingOpen` is false (the dashboard shows it).
    var servingReason: String?
    /// Bumped at each policy transition, so a wind-down overtaken by a newer one gives up.
    var servingEpoch = 0
    /// The relay subscription `run` reads requests from; shutdown ends it.
    var subscription: PoolSubscription?
    /// Payments being swapped right now (children of `run`); shutdown waits for them.
    var paying = 0
    /// How often unsettled jobs are retried while serving (`RETRY_INTERVAL`; tests shorten it).
    var retryInterval: Duration
    var dropped = 0
    var rejected = 0
    /// Jobs started before their swap (`admitEarly`), since this process started.
    var earlyAdmitted = 0
    /// The last request opened (signature checked, decrypted) and when: where
    /// `loom-bench` starts its "decrypted → backend called" admission measure.
    @_spi(Bench) public internal(set) var lastOpened: (id: String, at: ContinuousClock.Instant)?
    /// Opened when shutdown begins (the retry loop stops) and when it has ended (`run` returns).
    var stopping = Latch(), stopped = Latch()
    /// Shutdown waiting for the last job, settling and payment to end.
    var drainWaiters: [CheckedContinuation<Void, Never>] = []

    struct LiveJob {
        var opened: OpenedRequest
        let control = RunControl()
        /// When it was journaled here, and how long its swap took: the
        /// "job running" log line says what admission cost (scripts/bench_gateway.sh).
        let arrived = ContinuousClock.now
        var swap: Duration?
        /// Early admission: the swap running beside the job, and whether its
        /// success is journaled yet (`confirmEarly`).
        var earlySwap: Task<EarlySwap, Never>?
        var earlyConfirmed = false
    }

    /// `mintConnector` replaces the HTTP mint client (tests inject mint faults there).
    public init(
        configuration: WorkerConfiguration, access: any AccessPolicy, backend: any InferenceBackend, logger: Logger,
        mintConnector: (@Sendable (String) -> any MintConnector)? = nil
    ) throws {
        self.configuration = configuration
        self.access = access
        gate = AccessGate(access)
        self.backend = backend
        self.logger = logger
        try FileManager.default.createDirectory(
            at: configuration.dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        pool = try RelayPool(urls: configuration.relays, logger: logger)
        journal = try JobJournal(path: configuration.dataDirectory.appendingPathComponent("jobs.sqlite").path)
        desk = try PaymentDesk(
            mints: configuration.mints, dataDirectory: configuration.dataDirectory,
            lockKey: configuration.secretKey, mintTimeout: configuration.mintTimeout,
            crashPoint: configuration.crashPoint, connect: mintConnector)
        statuses = StatusPublisher(pool: pool, key: configuration.secretKey, logger: logger)
        blossom = BlossomClient(servers: configuration.blossomServers, key: configuration.secretKey)
        opener = RequestOpener(
            workerKey: configuration.secretKey, maxEventBytes: configuration.maxRequestBytes,
            optionLimits: configuration.optionLimits)
        workerHex = configuration.secretKey.xOnlyPublicKey.hex
        scheduler = Scheduler(maxRunning: configuration.maxConcurrentJobs, maxQueue: configuration.maxQueue)
        retryInterval = configuration.retryInterval
    }

    /// Requests this old are still read at start: ones sent while the worker
    /// was down. The journal keeps any from being taken twice.
    static let lookBack: Int64 = 3600

    /// Stops taking jobs, lets running ones finish within the configured grace, refunds the queue.
    public func shutdown() async { await shutdown(grace: configuration.shutdownGrace) }

    public func snapshot() -> WorkerSnapshot {
        let earned = (try? journal.earnings()) ?? (jobs: 0, sat: 0)
        return WorkerSnapshot(
            running: scheduler.running.count, queued: scheduler.queue.count, jobsDone: earned.jobs,
            earningsSat: earned.sat, rejected: rejected, dropped: dropped + gate.refusedCount, accepting: accepting && servingOpen
        )
    }

    public func capacity() -> Advertisement.Capacity {
        Advertisement.Capacity(
            maxConcurrent: scheduler.maxRunning, running: scheduler.running.count,
            queued: scheduler.queue.count, maxQueue: configuration.maxQueue)
    }

    /// The models offered: the backend's, filtered by `configuration.models`.
    public func models() async -> [String] {
        await refreshModels()
        return offered.sorted()
    }

    /// The offered models loaded now (refreshed with the model list); nil when the backend cannot tell.
    public func warmModels() async -> [String]? {
        await refreshModels()
        return loaded.map { $0.intersection(offered).sorted() }
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
            modelsError = nil
            // A hint: a backend that cannot say (or fails to) leaves the offer without it.
            loaded = (try? await backend.loadedModels()).map { Set($0) }
        } catch {
            modelsError = "\(error)"
            logger.warning("backend models not listed", metadata: ["error": "\(error)"])
        }
    }

    var terms: WorkerTerms {
        WorkerTerms(
            models: offered, mints: configuration.mints, rate: configuration.rate,
            worker: configuration.secretKey.xOnlyPublicKey, maxInputBytes: configuration.maxInputBytes)
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
