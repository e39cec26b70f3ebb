import Cashu
import Foundation
import Nostr
import Secp256k1

/// A result opened by its client.
public struct ReceivedResult: Sendable, Hashable {
    public let result: JobResult
    public let requestID: String
    public let worker: String
    public let createdAt: Int64
    /// Keep this with the event: the signed event is the receipt.
    public let eventID: String
}

extension JobResult {
    /// The encrypted kind-5101 event from the worker to `client`.
    public func seal(
        requestID: String, to client: XOnlyPublicKey, from worker: SecretKey, createdAt: Int64 = Event.now()
    ) throws -> Event {
        try validate()
        guard Check.isHex64(requestID) else {
            throw ContentError.invalid(field: "e", reason: "request id is not 64 hex characters")
        }
        let ciphertext = try NIP44.encrypt(try WireJSON.encode(self), from: worker, to: client)
        let statusTag = [LoomTag.status, status.rawValue] + (error.map { [$0.code] } ?? [])
        let tags = [[LoomTag.event, requestID], [LoomTag.pubkey, client.hex], statusTag, [LoomTag.encrypted]]
        return try Event.sign(
            kind: LoomKind.jobResult.rawValue, content: ciphertext, tags: tags,
            createdAt: createdAt, with: worker)
    }

    /// Opens a result addressed to `clientKey`. With `worker` and `requestID`,
    /// a result from anyone else or for another job is refused before any
    /// curve operation.
    public static func open(
        _ event: Event, clientKey: SecretKey, worker: String? = nil, requestID: String? = nil
    ) throws(LoomEventError) -> ReceivedResult {
        switch try read(event, clientKey: clientKey, worker: worker, requestID: requestID) {
        case .valid(let received): return received
        case .invalid(let error, _): throw error
        }
    }

    /// What a result event turned out to be, once it is known to come from
    /// the worker for this job and to be addressed to us.
    public enum Reading: Sendable {
        case valid(ReceivedResult)
        /// Signed by the worker and decrypted, yet its content breaks the
        /// protocol (a number out of bounds, a bill that does not add up, a
        /// status tag that disagrees). The worker said it, so it counts against
        /// the worker; `change` is the change token it carried, if any, so the
        /// client can still redeem what is owed.
        case invalid(LoomEventError, change: String?)
    }

    /// `open`, telling apart a result that is not ours to read (thrown: a
    /// stranger's, another job's, unsigned, undecryptable) from one the worker
    /// signed for this job with a content that breaks the rules (`.invalid`).
    public static func read(
        _ event: Event, clientKey: SecretKey, worker: String? = nil, requestID: String? = nil
    ) throws(LoomEventError) -> Reading {
        try Check.kind(event, .jobResult)
        let e = try Check.hex64(LoomTag.event, in: event)
        if let requestID, e != requestID { throw .wrongParty("result is for request \(e), not \(requestID)") }
        if let worker, event.pubkey != worker {
            throw .wrongParty("result is signed by \(event.pubkey), not the worker \(worker)")
        }
        let clientHex = clientKey.xOnlyPublicKey.hex
        guard try Check.hex64(LoomTag.pubkey, in: event) == clientHex else {
            throw .wrongParty("result is addressed to another key")
        }
        try Check.signature(event)
        guard event.firstTag(LoomTag.encrypted) != nil else { throw .missingTag(LoomTag.encrypted) }
        let plaintext: String
        do {
            plaintext = try NIP44.decrypt(event.content, to: clientKey, from: try XOnlyPublicKey(hex: event.pubkey))
        } catch let e as NIP44Error {
            throw .undecryptable(e)
        } catch {
            throw .invalidEvent(.invalidPublicKey)
        }
        let result: JobResult
        do {
            result = try Check.content { () throws(ContentError) in
                let r = try WireJSON.decode(JobResult.self, from: plaintext)
                try r.validate()
                return r
            }
        } catch {
            return .invalid(error, change: salvagedChange(plaintext))
        }
        guard event.firstTag(LoomTag.status)?.dropFirst().first == result.status.rawValue else {
            return .invalid(.badTag(LoomTag.status, reason: "does not match the content's status"), change: result.change)
        }
        return .valid(
            ReceivedResult(result: result, requestID: e, worker: event.pubkey, createdAt: event.createdAt, eventID: event.id))
    }

    /// The `change` string of a content that does not validate, when it is
    /// a token at all: money the client should still try to redeem.
    static func salvagedChange(_ plaintext: String) -> String? {
        guard let data = plaintext.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let change = object["change"] as? String, change.utf8.count <= 1 << 20, (try? Token.decode(change)) != nil
        else { return nil }
        return change
    }
}
