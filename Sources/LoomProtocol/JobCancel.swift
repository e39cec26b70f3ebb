import Nostr
import Secp256k1

/// A client withdrawing its request (kind 5102). Only the request's author
/// may cancel it: `cancels(_:)` is the check a worker applies; cancels
/// from anyone else are ignored without a reply.
public struct JobCancel: Sendable, Hashable {
    public let requestID: String
    public let worker: String
    /// Who asked: must be the request's author.
    public let author: String
    /// Optional, public, plain text.
    public let reason: String
    public let createdAt: Int64
    public let eventID: String

    static let maxReasonLength = 500

    /// The signed kind-5102 event.
    public static func sign(
        requestID: String, worker: String, reason: String = "", with client: SecretKey, createdAt: Int64 = Event.now()
    ) throws -> Event {
        guard Check.isHex64(requestID) else {
            throw ContentError.invalid(field: "e", reason: "request id is not 64 hex characters")
        }
        guard Check.isHex64(worker) else { throw ContentError.invalid(field: "p", reason: "worker key is not 64 hex characters") }
        guard reason.count <= maxReasonLength else {
            throw ContentError.invalid(field: "content", reason: "at most \(maxReasonLength) characters")
        }
        return try Event.sign(
            kind: LoomKind.jobCancel.rawValue, content: reason,
            tags: [[LoomTag.event, requestID], [LoomTag.pubkey, worker]], createdAt: createdAt, with: client)
    }

    /// Reads a kind-5102 event, checking its shape and signature.
    public static func parse(_ event: Event) throws(LoomEventError) -> JobCancel {
        try Check.kind(event, .jobCancel)
        let e = try Check.hex64(LoomTag.event, in: event)
        let p = try Check.hex64(LoomTag.pubkey, in: event)
        try Check.signature(event)
        return JobCancel(
            requestID: e, worker: p, author: event.pubkey, reason: String(event.content.prefix(maxReasonLength)),
            createdAt: event.createdAt, eventID: event.id)
    }

    /// True when this cancel is for `request`, addressed to `worker`, from the request's own author.
    public func cancels(_ request: OpenedRequest, worker: String) -> Bool {
        requestID == request.id && author == request.client && self.worker == worker
    }
}
