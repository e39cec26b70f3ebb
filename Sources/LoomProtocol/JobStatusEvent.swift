import Nostr
import Secp256k1

/// A status as read from a relay.
public struct PublishedStatus: Sendable, Hashable {
    public let status: JobStatus
    /// The job: the request event id (`d` and `e`).
    public let requestID: String
    public let client: String
    public let worker: String
    public let createdAt: Int64
    public let eventID: String
}

extension JobStatus {
    /// How long relays are asked to keep a status after it is published.
    public static let defaultRetention: Int64 = 7 * 24 * 3600

    /// A relay keeps one status per job and, on equal `created_at`, the one
    /// with the lower id (NIP-01): two states within one second would let a
    /// relay keep the older. Each status therefore gets a timestamp strictly
    /// after the previous one of the same job, even if that runs a second ahead.
    public static func nextCreatedAt(previous: Int64?, now: Int64) -> Int64 {
        guard let previous else { return now }
        return max(now, previous + 1)
    }

    /// `["status", <state>]`, or `["status", <state>, <reason code>]` when there
    /// is a reason, so filters and plain Nostr clients see the outcome.
    func statusTag() -> [String] {
        [LoomTag.status, status.rawValue] + (reason.map { [$0.code] } ?? [])
    }

    public func template(requestID: String, client: String, expiresAt: Int64) throws(ContentError) -> EventTemplate {
        try validate()
        guard Check.isHex64(requestID) else { throw .invalid(field: "d", reason: "request id is not 64 hex characters") }
        guard Check.isHex64(client) else { throw .invalid(field: "p", reason: "client key is not 64 hex characters") }
        let tags: [[String]] = [
            [LoomTag.identifier, requestID], [LoomTag.event, requestID], [LoomTag.pubkey, client],
            statusTag(), NIP40.tag(expiresAt: expiresAt),
        ]
        return EventTemplate(kind: .jobStatus, tags: tags, content: try WireJSON.encode(self))
    }

    public func sign(
        with worker: SecretKey, requestID: String, client: String,
        createdAt: Int64 = Event.now(), retention: Int64 = defaultRetention
    ) throws -> Event {
        try template(requestID: requestID, client: client, expiresAt: createdAt + retention)
            .sign(with: worker, createdAt: createdAt)
    }

    /// Reads a kind-30100 event. Tags and content must agree on the job and the state.
    public static func parse(_ event: Event) throws(LoomEventError) -> PublishedStatus {
        try Check.kind(event, .jobStatus)
        try Check.signature(event)
        let d = try Check.hex64(LoomTag.identifier, in: event)
        let e = try Check.hex64(LoomTag.event, in: event)
        guard d == e else { throw .badTag(LoomTag.identifier, reason: "d and e must both be the request id") }
        let client = try Check.hex64(LoomTag.pubkey, in: event)
        let status = try Check.content { () throws(ContentError) in
            let s = try WireJSON.decode(JobStatus.self, from: event.content)
            try s.validate()
            return s
        }
        guard event.firstTag(LoomTag.status)?.dropFirst().first == status.status.rawValue else {
            throw .badTag(LoomTag.status, reason: "does not match the content's status")
        }
        return PublishedStatus(
            status: status, requestID: d, client: client, worker: event.pubkey,
            createdAt: event.createdAt, eventID: event.id)
    }
}
