import LoomProtocol

/// Which worker a call goes to next. Pure: live offers, the workers this
/// call already tried, and the gateway's own calls in flight per worker (a
/// worker's advertisement lags its load by a second or more, and two calls
/// arriving together must not both pick the same one-slot worker).
public enum WorkerChoice {
    /// The next worker to try, or nil when none is left.
    ///
    /// Pinned (`--worker`, `X-Loom-Worker`): the pinned workers in the order
    /// given, those not yet tried. Otherwise the cheapest with room, then
    /// the cheapest of the rest (a queue may still beat no answer); ties by
    /// the model loaded now (`warm`: no seconds paid for loading it), then
    /// fewer of our calls in flight, then by name and key so the order is stable.
    public static func next(
        _ offers: [WorkerOffer], model: String, pinned: [String]?, tried: Set<String>, inFlight: [String: Int]
    ) -> WorkerOffer? {
        let open = offers.filter { $0.advertisement.models.contains(model) && !tried.contains($0.worker) }
        if let pinned {
            return pinned.lazy.compactMap { key in open.first { $0.worker == key } }.first
        }
        return open.min { a, b in
            let ra = hasRoom(a, inFlight: inFlight[a.worker] ?? 0), rb = hasRoom(b, inFlight: inFlight[b.worker] ?? 0)
            if ra != rb { return ra }
            let pa = a.advertisement.pricing.msatPerSecond, pb = b.advertisement.pricing.msatPerSecond
            if pa != pb { return pa < pb }
            let wa = a.advertisement.isWarm(model), wb = b.advertisement.isWarm(model)
            if wa != wb { return wa }
            let fa = inFlight[a.worker] ?? 0, fb = inFlight[b.worker] ?? 0
            if fa != fb { return fa < fb }
            return (a.advertisement.name, a.worker) < (b.advertisement.name, b.worker)
        }
    }

    /// A free slot once our own calls in flight are counted. The offer's
    /// `running` may already include some of them; counting them twice only
    /// spreads calls wider, which is the safe side.
    public static func hasRoom(_ offer: WorkerOffer, inFlight: Int) -> Bool {
        let c = offer.advertisement.capacity
        return c.queued == 0 && c.running + inFlight < c.maxConcurrent
    }
}
