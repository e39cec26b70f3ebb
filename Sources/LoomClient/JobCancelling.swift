import LoomProtocol
import Nostr
import NostrRelay

extension JobClient {
    /// Publishes a kind-5102 cancel for one of our jobs. Only the request's
    /// author may cancel (the worker ignores anyone else), so a job requested
    /// by another key is refused here rather than sent in vain.
    @discardableResult
    public func cancel(jobID: String, reason: String = "") async throws -> Event {
        let (worker, request, journaled) = try await locate(jobID)
        guard request.pubkey == pubkey else { throw ClientError.notOurJob(jobID) }
        let event = try JobCancel.sign(requestID: jobID, worker: worker, reason: reason, with: key)
        do {
            // Where the request went, the cancel goes: the worker may read other relays than ours.
            try await publishRequest(event, workerRelays: journaled?.workerRelays ?? [])
        } catch {
            throw ClientError.publishFailed(error, relays: pool.urls)
        }
        return event
    }
}
