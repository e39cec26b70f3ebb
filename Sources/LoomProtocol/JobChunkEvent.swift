import Nostr
import Secp256k1

/// A chunk opened by its client.
public struct ReceivedChunk: Sendable, Hashable {
    public let chunk: JobChunk
    public let requestID: String
    public let worker: String
    public let eventID: String
}

extension JobChunk {
    /// The encrypted kind-20100 event from the worker to `client`.
    /// `conversationKey` (NIP-44, worker and client) saves the ECDH per
    /// chunk: a streaming job computes it once.
    public func seal(
        requestID: String, to client: XOnlyPublicKey, from worker: SecretKey, conversationKey: [UInt8]? = nil,
        createdAt: Int64 = Event.now()
    ) throws -> Event {
        try validate()
        guard Check.isHex64(requestID) else {
            throw ContentError.invalid(field: "e", reason: "request id is not 64 hex characters")
        }
        let key = conversationKey ?? NIP44.conversationKey(worker, client)
        let ciphertext = try NIP44.encrypt(try WireJSON.encode(self), conversationKey: key)
        return try Event.sign(
            kind: LoomKind.jobChunk.rawValue, content: ciphertext,
            tags: [[LoomTag.event, requestID], [LoomTag.pubkey, client.hex]], createdAt: createdAt, with: worker)
    }

    /// Opens a chunk addressed to `clientKey`. With `worker` and `requestID`,
    /// a chunk from anyone else or for another job is refused before any
    /// curve operation: only the worker can speak for its job's output.
    public static func open(
        _ event: Event, clientKey: SecretKey, worker: String? = nil, requestID: String? = nil,
        conversationKey: [UInt8]? = nil
    ) throws(LoomEventError) -> ReceivedChunk {
        try Check.kind(event, .jobChunk)
        let e = try Check.hex64(LoomTag.event, in: event)
        if let requestID, e != requestID { throw .wrongParty("chunk is for request \(e), not \(requestID)") }
        if let worker, event.pubkey != worker {
            throw .wrongParty("chunk is signed by \(event.pubkey), not the worker \(worker)")
        }
        guard try Check.hex64(LoomTag.pubkey, in: event) == clientKey.xOnlyPublicKey.hex else {
            throw .wrongParty("chunk is addressed to another key")
        }
        try Check.signature(event)
        let plaintext: String
        do {
            let key = try conversationKey ?? NIP44.conversationKey(clientKey, XOnlyPublicKey(hex: event.pubkey))
            plaintext = try NIP44.decrypt(event.content, conversationKey: key)
        } catch let e as NIP44Error {
            throw .undecryptable(e)
        } catch {
            throw .invalidEvent(.invalidPublicKey)
        }
        let chunk = try Check.content { () throws(ContentError) in
            let c = try WireJSON.decode(JobChunk.self, from: plaintext)
            try c.validate()
            return c
        }
        return ReceivedChunk(chunk: chunk, requestID: e, worker: event.pubkey, eventID: event.id)
    }
}
