import Cashu
import LoomProtocol
import Nostr
import NostrRelay

/// What a client wants from a worker; nil fields match anything.
public struct WorkerFilter: Sendable, Hashable {
    public var model: String?
    public var maxMsatPerSecond: UInt64?
    public var mint: String?

    public init(model: String? = nil, maxMsatPerSecond: UInt64? = nil, mint: String? = nil) {
        self.model = model
        self.maxMsatPerSecond = maxMsatPerSecond
        self.mint = mint.map(Token.normalizeMintURL)
    }

    public func matches(_ offer: WorkerOffer) -> Bool {
        let ad = offer.advertisement
        if let model, !ad.models.contains(model) { return false }
        if let maxMsatPerSecond, ad.pricing.msatPerSecond > maxMsatPerSecond { return false }
        if let mint, !ad.mints.contains(mint) { return false }
        return true
    }
}

/// The live offers (kind 10100) on a set of relays.
///
/// Relays keep one advertisement per worker, but two relays may hold two
/// generations of it, so the newest per worker wins. Offers that do not
/// parse (bad signature, tags that disagree with the content, no
/// expiration), that expired (NIP-40) or that say `accepting: false` are
/// never shown: a client must not pay a worker that is gone.
public struct WorkerDirectory: Sendable {
    public let pool: RelayPool

    public init(pool: RelayPool) { self.pool = pool }

    /// Every live offer matching `filter`, cheapest first.
    public func offers(
        _ filter: WorkerFilter = .init(), timeout: Duration = .seconds(10), now: Int64 = Event.now()
    ) async throws(ClientError) -> [WorkerOffer] {
        var query = Filter(kinds: [LoomKind.advertisement.rawValue])
        if let model = filter.model { query.tags["t"] = [model] }
        let events = try await StoredEvents.fetch([query], from: pool, timeout: timeout)
        return Self.select(events, filter: filter, now: now)
    }

    /// The worker an automatic choice picks for `model`, or an error naming what is missing.
    public func cheapest(
        model: String, mint: String? = nil, maxMsatPerSecond: UInt64? = nil,
        timeout: Duration = .seconds(10)
    ) async throws(ClientError) -> WorkerOffer {
        let found = try await offers(WorkerFilter(model: model, maxMsatPerSecond: maxMsatPerSecond, mint: mint), timeout: timeout)
        guard let best = Self.cheapest(found, model: model) else { throw .noWorkerForModel(model: model, mint: mint) }
        return best
    }

    /// The live offer of one worker (hex key), or `unknownWorker`.
    public func offer(of worker: String, timeout: Duration = .seconds(10)) async throws(ClientError) -> WorkerOffer {
        let query = Filter(authors: [worker], kinds: [LoomKind.advertisement.rawValue])
        let events = try await StoredEvents.fetch([query], from: pool, timeout: timeout)
        guard let offer = Self.select(events, filter: .init(), now: Event.now()).first(where: { $0.worker == worker }) else {
            throw .unknownWorker(worker)
        }
        return offer
    }

    // MARK: pure rules

    /// Parses, keeps the newest per worker, drops what is not live or does
    /// not match, and sorts by price (then free capacity, then name).
    public static func select(_ events: [Event], filter: WorkerFilter, now: Int64) -> [WorkerOffer] {
        var newest: [String: WorkerOffer] = [:]
        for event in events {
            guard let offer = try? Advertisement.parse(event) else { continue }
            if let seen = newest[offer.worker], seen.createdAt >= offer.createdAt { continue }
            newest[offer.worker] = offer
        }
        return newest.values
            .filter { $0.isLive(now: now) && filter.matches($0) }
            .sorted(by: cheaperThan)
    }

    /// The cheapest offer among those with a free slot (the job starts at
    /// once instead of waiting behind others); when every worker is busy,
    /// the cheapest overall, since a queue still beats no job. Among equal
    /// prices, one with `model` loaded (`warm`) wins: the client pays for
    /// the seconds a cold worker spends loading it. Price stays first, so a
    /// warm flag (a hint the worker sets itself) never costs the client more.
    public static func cheapest(_ offers: [WorkerOffer], model: String? = nil) -> WorkerOffer? {
        let free = offers.filter { $0.advertisement.capacity.hasFreeSlot }
        return (free.isEmpty ? offers : free).min { a, b in
            let pa = a.advertisement.pricing.msatPerSecond, pb = b.advertisement.pricing.msatPerSecond
            if pa == pb, let model {
                let wa = a.advertisement.isWarm(model), wb = b.advertisement.isWarm(model)
                if wa != wb { return wa }
            }
            return cheaperThan(a, b)
        }
    }

    static func cheaperThan(_ a: WorkerOffer, _ b: WorkerOffer) -> Bool {
        let pa = a.advertisement.pricing.msatPerSecond, pb = b.advertisement.pricing.msatPerSecond
        if pa != pb { return pa < pb }
        let fa = a.advertisement.capacity.hasFreeSlot, fb = b.advertisement.capacity.hasFreeSlot
        if fa != fb { return fa }
        return (a.advertisement.name, a.worker) < (b.advertisement.name, b.worker)
    }
}
