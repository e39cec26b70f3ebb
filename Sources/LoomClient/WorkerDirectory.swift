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
        model: String, mint: String? = nil, maxMsatPerSecond: UInt64? = nil, seconds: UInt64? = nil,
        standings: [String: WorkerStanding] = [:], timeout: Duration = .seconds(10)
    ) async throws(ClientError) -> WorkerOffer {
        let found = try await offers(WorkerFilter(model: model, maxMsatPerSecond: maxMsatPerSecond, mint: mint), timeout: timeout)
        let (usable, refused) = Self.usable(found, seconds: seconds, standings: standings)
        guard let best = Self.cheapest(usable, model: model) else {
            if refused.isEmpty { throw .noWorkerForModel(model: model, mint: mint) }
            throw .workerMismatch("no usable worker for \"\(model)\": " + refused.joined(separator: "; "))
        }
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
            let pa = expectedCostMsat(a), pb = expectedCostMsat(b)
            if pa == pb, let model {
                let wa = a.advertisement.isWarm(model), wb = b.advertisement.isWarm(model)
                if wa != wb { return wa }
            }
            return cheaperThan(a, b)
        }
    }

    /// The offers `--worker auto` may choose, and why each other one may not:
    /// avoided for misconduct (`WorkerRecord`), or selling at least more
    /// seconds than the job buys (paying its minimum would cost more than asked).
    public static func usable(
        _ offers: [WorkerOffer], seconds: UInt64?, standings: [String: WorkerStanding]
    ) -> (usable: [WorkerOffer], refused: [String]) {
        var usable: [WorkerOffer] = []
        var refused: [String] = []
        for offer in offers {
            let name = offer.advertisement.name
            if case .avoided(let finding)? = standings[offer.worker] {
                refused.append("worker \(name) is avoided: it \(finding.explanation) (`loom workers --forgive` clears it)")
            } else if let seconds, offer.advertisement.pricing.minSeconds > seconds {
                refused.append(
                    "worker \(name) sells at least \(offer.advertisement.pricing.minSeconds) s, more than the \(seconds) s asked for"
                )
            } else {
                usable.append(offer)
            }
        }
        return (usable, refused)
    }

    /// What a typical job costs at this offer, in msat: its price for
    /// `typicalJobSeconds`, or for its minimum when that is longer. A
    /// 1 msat/s offer with a huge minimum is dear, whatever its rate says.
    public static func expectedCostMsat(_ offer: WorkerOffer) -> UInt64 {
        let rate = offer.advertisement.pricing
        let (cost, overflow) = rate.msatPerSecond.multipliedReportingOverflow(by: max(rate.minSeconds, typicalJobSeconds))
        return overflow ? .max : cost
    }

    /// Seconds a job is expected to run, for ranking offers whose minimums differ.
    public static let typicalJobSeconds: UInt64 = 10

    static func cheaperThan(_ a: WorkerOffer, _ b: WorkerOffer) -> Bool {
        let pa = expectedCostMsat(a), pb = expectedCostMsat(b)
        if pa != pb { return pa < pb }
        let fa = a.advertisement.capacity.hasFreeSlot, fb = b.advertisement.capacity.hasFreeSlot
        if fa != fb { return fa }
        return (a.advertisement.name, a.worker) < (b.advertisement.name, b.worker)
    }
}
