import Foundation
import Logging
import LoomProtocol
import NIOConcurrencyHelpers
import Nostr
import NostrRelay
import Secp256k1
import ServiceLifecycle

/// Publishes the worker's offer (kind 10100) from live facts: republished
/// every TTL/3 so it never lapses while the worker lives, promptly (at most
/// once a second) when the models or the capacity change, and replaced by
/// the offline version at shutdown. Each offer carries a NIP-40 expiration
/// of now + TTL, so a worker that dies without a word drops out on its own.
public actor Advertiser: Service {
    let pool: RelayPool
    let key: SecretKey
    let configuration: WorkerConfiguration
    let version: String
    let hardware: Advertisement.Hardware
    let logger: Logger
    /// What `run()`, the service, offers; nil when only `run(models:capacity:)` is used.
    let facts: Facts?
    private let change = ChangeFlag()
    private var stopped = false
    /// The last offer built and the newest event published, for the offline
    /// replacement and for tests.
    public private(set) var current: Advertisement?
    public private(set) var lastEvent: Event?

    /// The least time between two publishes, whatever `changed()` says.
    static let minimumSpacing: Duration = .seconds(1)
    /// How often the offer is rebuilt to see whether the models or the
    /// capacity changed. Cheap: the worker asks its backend at most every 10 s.
    static let lookInterval: Duration = .seconds(1)

    /// The live facts of an offer: the backend's models now and the scheduler's counts.
    public struct Facts: Sendable {
        let models: @Sendable () async -> [String]
        let capacity: @Sendable () async -> Advertisement.Capacity
        /// False while the serving policy holds the worker off: the offer says `accepting: false`.
        let accepting: @Sendable () async -> Bool
        /// The models loaded now (`warm`); nil when the backend cannot tell.
        let warm: @Sendable () async -> [String]?

        public init(
            models: @escaping @Sendable () async -> [String],
            capacity: @escaping @Sendable () async -> Advertisement.Capacity,
            accepting: @escaping @Sendable () async -> Bool = { true },
            warm: @escaping @Sendable () async -> [String]? = { nil }
        ) {
            self.models = models
            self.capacity = capacity
            self.accepting = accepting
            self.warm = warm
        }
    }

    public init(
        pool: RelayPool, key: SecretKey, configuration: WorkerConfiguration, version: String,
        hardware: Advertisement.Hardware = Hardware.current(), logger: Logger = Logger(label: "loom.advertiser"),
        facts: Facts? = nil
    ) {
        self.pool = pool
        self.key = key
        self.configuration = configuration
        self.version = version
        self.hardware = hardware
        self.logger = logger
        self.facts = facts
    }

    var ttlSeconds: Int64 { max(configuration.advertisementTTL.components.seconds, 3) }

    /// Capacity or models changed: publish again soon. Safe to call from
    /// anywhere, as often as wanted; calls within a second are folded.
    public nonisolated func changed() { change.raise() }

    /// As a service: advertises `facts` until the graceful shutdown, then
    /// publishes the offline replacement before returning, so clients learn
    /// the worker is going before it stops taking jobs (the service group
    /// stops the worker only once this has returned).
    public func run() async {
        guard let facts else { preconditionFailure("Advertiser.run() needs the facts given at init") }
        await cancelWhenGracefulShutdown {
            await self.run(models: facts.models, capacity: facts.capacity, accepting: facts.accepting, warm: facts.warm)
        }
        // Cancelled instead (a forced stop): no relay round trip; the offer lapses at its expiration.
        if !Task.isCancelled, !stopped { await publishOffline() }
    }

    /// Publishes until cancelled. `models` gives the backend's models now
    /// (filtered here by `MODELS`), `capacity` the scheduler's counts,
    /// `accepting` whether the serving policy lets the worker take jobs.
    /// The offer is rebuilt every `lookInterval` (sooner after `changed()`)
    /// and published when it differs from the last one, so a model pulled,
    /// removed, or first listed by a slow backend is offered at once.
    public func run(
        models: @Sendable () async -> [String],
        capacity: @Sendable () async -> Advertisement.Capacity,
        accepting: @Sendable () async -> Bool = { true },
        warm: @Sendable () async -> [String]? = { nil }
    ) async {
        let clock = ContinuousClock()
        var lastPublish: ContinuousClock.Instant?
        var nextRefresh = clock.now
        var nextLook = clock.now
        while !Task.isCancelled && !stopped {
            let now = clock.now
            let spaced = lastPublish.map { now - $0 >= Self.minimumSpacing } ?? true
            if spaced && (now >= nextRefresh || now >= nextLook || change.consume()) {
                nextLook = now + Self.lookInterval
                var ad = build(models: await models(), capacity: await capacity(), warm: await warm())
                if !(await accepting()) { ad.accepting = false }
                let due = now >= nextRefresh
                // A change that changed nothing does not need a new event; the refresh always does.
                if due || ad != current {
                    lastPublish = clock.now
                    let ok = await publish(ad)
                    // A failed publish is retried well before the offer lapses.
                    let interval =
                        ok
                        ? Advertisement.refreshInterval(ttl: ttlSeconds) : min(5, Advertisement.refreshInterval(ttl: ttlSeconds))
                    nextRefresh = clock.now + .seconds(interval)
                }
            }
            // A short tick instead of racing a timer against a signal: the flag
            // is a lock and a bool, and this wakes a few times a second at most.
            do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
        }
    }

    /// Publishes the offline replacement of the last offer (accepting false,
    /// nothing running or queued) and stops `run` from publishing again.
    public func publishOffline() async {
        stopped = true
        guard let current else { return }
        _ = await publish(current.offline())
    }

    /// A model turning warm or cold changes the offer, so it is published on the next look.
    func build(models: [String], capacity: Advertisement.Capacity, warm: [String]? = nil) -> Advertisement {
        let allowed = configuration.models
        var seen = Set<String>()
        let offered = models.filter { (allowed?.contains($0) ?? true) && seen.insert($0).inserted }
        var ad = Advertisement(
            name: configuration.name, about: configuration.about,
            backends: [Advertisement.Backend(name: configuration.backend.rawValue, models: offered)],
            pricing: configuration.rate, mints: configuration.mints,
            blossom: configuration.blossomServers.map(\.absoluteString), relays: configuration.relays,
            capacity: capacity, hardware: hardware, software: Advertisement.Software(version: version),
            accepting: true, geohash: configuration.geohash, maxRequestBytes: configuration.maxRequestBytes,
            maxInputBytes: configuration.maxInputBytes)
        ad.warm = warm.map { loaded in offered.filter(loaded.contains) }
        ad.earlyAdmission = configuration.earlyAdmission ? true : nil
        if offered.isEmpty {
            // Nothing to sell (backend down, or none of MODELS installed): say so
            // rather than advertise an offer clients cannot use.
            ad = ad.offline()
        }
        return ad
    }

    @discardableResult
    func publish(_ ad: Advertisement) async -> Bool {
        // After `publishOffline`, a refresh still in flight must not bring the offer back.
        guard ad.accepting == false || !stopped else { return false }
        // Relays keep the newest replaceable event, and on equal created_at the
        // lowest id: a publish within the same second as the last must still win.
        let createdAt = max(Event.now(), (lastEvent?.createdAt ?? 0) + 1)
        let event: Event
        do { event = try ad.sign(with: key, createdAt: createdAt, ttl: ttlSeconds) } catch {
            logger.error("advertisement not valid; not published", metadata: ["reason": "\(error)"])
            return false
        }
        current = ad
        lastEvent = event
        do {
            let result = try await pool.publish(event)
            logger.debug(
                "advertisement published",
                metadata: [
                    "relay": "\(result.accepted.relay)", "accepting": "\(ad.accepting)", "models": "\(ad.models.count)",
                    "running": "\(ad.capacity.running)", "queued": "\(ad.capacity.queued)",
                ])
            return true
        } catch {
            logger.warning("advertisement not published", metadata: ["reason": "\(error)"])
            return false
        }
    }
}

/// A "something changed" bit set from any thread and read by the advertiser.
final class ChangeFlag: Sendable {
    private let raised = NIOLockedValueBox(false)

    func raise() { raised.withLockedValue { $0 = true } }

    /// True once per raise.
    func consume() -> Bool {
        raised.withLockedValue { raised in
            defer { raised = false }
            return raised
        }
    }
}
