import Cashu
import Nostr
import Secp256k1

/// An advertisement as read from a relay: the offer plus who signed it and
/// until when it holds.
public struct WorkerOffer: Sendable, Hashable {
    public let advertisement: Advertisement
    /// The worker's key (hex), the one requests are encrypted and addressed to.
    public let worker: String
    public let eventID: String
    public let createdAt: Int64
    public let expiresAt: Int64

    /// Taking jobs and not expired. An offer without a future expiration is
    /// never live: a worker that vanished must drop out on its own.
    public func isLive(now: Int64 = Event.now()) -> Bool {
        advertisement.accepting && now < expiresAt
    }
}

extension Advertisement {
    /// A sensible lifetime: long enough to survive a relay hiccup, short
    /// enough that a dead worker disappears within minutes.
    public static let defaultTTL: Int64 = 300

    /// How often to republish to keep an offer of lifetime `ttl` live.
    /// A third leaves two chances for a lost publish before the offer lapses.
    public static func refreshInterval(ttl: Int64) -> Int64 { max(ttl / 3, 1) }

    /// The unsigned kind-10100 event. Tags repeat content fields so relays
    /// can filter on them (`#t` for a model, `#g` for a region).
    public func template(expiresAt: Int64) throws(ContentError) -> EventTemplate {
        try validate()
        var tags: [[String]] = models.map { [LoomTag.topic, $0] }
        if let geohash { tags.append([LoomTag.geohash, geohash]) }
        tags.append(Self.priceTag(pricing))
        tags += mints.map { [LoomTag.mint, $0] }
        tags.append(NIP40.tag(expiresAt: expiresAt))
        return EventTemplate(kind: .advertisement, tags: tags, content: try WireJSON.encode(self))
    }

    public func sign(with key: SecretKey, createdAt: Int64 = Event.now(), ttl: Int64 = defaultTTL) throws -> Event {
        try template(expiresAt: createdAt + ttl).sign(with: key, createdAt: createdAt)
    }

    /// `["price", "<msat per second>", "msat/s"]`.
    static func priceTag(_ rate: Rate) -> [String] { [LoomTag.price, String(rate.msatPerSecond), "msat/s"] }

    /// Reads and checks a kind-10100 event: signature, expiration, content,
    /// and that the tags say what the content says (a client filtering on
    /// `#t` must not be shown a worker whose content lacks the model).
    public static func parse(_ event: Event) throws(LoomEventError) -> WorkerOffer {
        try Check.kind(event, .advertisement)
        try Check.signature(event)
        let expiresAt: Int64
        do {
            guard let at = try event.expiration else { throw LoomEventError.missingTag(NIP40.tagName) }
            expiresAt = at
        } catch let e as LoomEventError {
            throw e
        } catch {
            throw .badTag(NIP40.tagName, reason: "\(error)")
        }
        var ad = try Check.content { () throws(ContentError) in try WireJSON.decode(Advertisement.self, from: event.content) }
        ad.mints = ad.mints.map(Token.normalizeMintURL)
        let geohashes = event.tagValues(LoomTag.geohash)
        guard geohashes.count <= 1 else { throw .badTag(LoomTag.geohash, reason: "appears more than once") }
        ad.geohash = geohashes.first
        try Check.content { () throws(ContentError) in try ad.validate() }
        try checkTags(of: event, against: ad)
        return WorkerOffer(
            advertisement: ad, worker: event.pubkey, eventID: event.id, createdAt: event.createdAt, expiresAt: expiresAt)
    }

    private static func checkTags(of event: Event, against ad: Advertisement) throws(LoomEventError) {
        guard Set(event.tagValues(LoomTag.topic)) == Set(ad.models) else {
            throw .badTag(LoomTag.topic, reason: "the t tags do not list exactly the advertised models")
        }
        guard Set(event.tagValues(LoomTag.mint).map(Token.normalizeMintURL)) == Set(ad.mints) else {
            throw .badTag(LoomTag.mint, reason: "the mint tags do not list exactly the advertised mints")
        }
        guard let price = event.firstTag(LoomTag.price), price.count >= 2 else { throw .missingTag(LoomTag.price) }
        guard price == priceTag(ad.pricing) else {
            throw .badTag(LoomTag.price, reason: "does not match pricing.msat_per_second")
        }
    }
}
