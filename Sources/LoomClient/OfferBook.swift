import LoomProtocol
import Nostr
import NostrRelay

/// The live offers (kind 10100), kept current by one long-lived subscription,
/// for a process that makes many calls (`loom gateway`): a call reads the
/// book instead of asking the relays (REQ to EOSE) first, and an offer that
/// goes offline (`accepting: false`) or changes its price is seen as soon as
/// a relay passes it on.
///
/// The book holds the newest advertisement per worker that parses (the same
/// rules as `WorkerDirectory.select`), at most `capacity` workers: anyone can
/// publish offers, so a flood of keys must not grow it without end. When full,
/// expired offers go first, then the oldest.
public actor OfferBook {
    public let pool: RelayPool
    public let capacity: Int
    private var newest: [String: WorkerOffer] = [:]
    private var ready = false
    private var task: Task<Void, Never>?

    public init(pool: RelayPool, capacity: Int = 10_000) {
        self.pool = pool
        self.capacity = max(capacity, 1)
    }

    /// Subscribes; the book is ready at the first relay's end of stored events.
    public func start() {
        guard task == nil else { return }
        let pool = self.pool
        task = Task { [weak self] in
            await pool.connect()
            let subscription = pool.subscribe([Filter(kinds: [LoomKind.advertisement.rawValue])])
            for await item in subscription {
                guard let self else { return }
                switch item {
                case .event(let event, _): await self.note(event)
                case .endOfStoredEvents: await self.markReady()
                case .closed: continue
                }
            }
        }
    }

    public func stop() {
        task?.cancel()
        task = nil
        ready = false
    }

    /// Every live offer matching `filter`, cheapest first (as `WorkerDirectory.offers`).
    /// Until the book is ready (no relay has sent its stored offers yet) this
    /// asks the relays directly, as `WorkerDirectory` does, with its errors: a
    /// cold start or dead relays are never taken for an empty market.
    public func offers(
        _ filter: WorkerFilter = .init(), timeout: Duration = .seconds(10), now: Int64 = Event.now()
    ) async throws(ClientError) -> [WorkerOffer] {
        guard ready else { return try await WorkerDirectory(pool: pool).offers(filter, timeout: timeout, now: now) }
        return newest.values.filter { $0.isLive(now: now) && filter.matches($0) }.sorted(by: WorkerDirectory.cheaperThan)
    }

    /// How many workers the book holds (live or not): for tests and the bench.
    public var count: Int { newest.count }

    func note(_ event: Event) {
        guard let offer = try? Advertisement.parse(event) else { return }
        if let seen = newest[offer.worker], seen.createdAt >= offer.createdAt { return }
        if newest[offer.worker] == nil, newest.count >= capacity { evict() }
        newest[offer.worker] = offer
    }

    private func evict() {
        let now = Event.now()
        let expired = newest.filter { $0.value.expiresAt <= now }.map(\.key)
        if !expired.isEmpty {
            for key in expired { newest[key] = nil }
            return
        }
        if let oldest = newest.min(by: { $0.value.createdAt < $1.value.createdAt })?.key { newest[oldest] = nil }
    }

    func markReady() { ready = true }
}
