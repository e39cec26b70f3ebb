import LoomProtocol
import Nostr
import NostrRelay

extension JobClient {
    /// Publishes a kind-5102 cancel for one of our jobs. Only the request's
    /// author may cancel (the worker ignores anyone else), so a job requested
    /// by another key is refused here rather than sent in vain.
    @discardableResult
    public func cancel(jobID: String, reason: String = "") async throws -> Event {
        let (worker, request, _) = try await locate(jobID)
        guard request.pubkey == pubkey else { throw ClientError.notOurJob(jobID) }
        let event = try JobCancel.sign(requestID: jobID, worker: worker, reason: reason, with: key)
        await pool.connect()
        do {
            _ = try await pool.publish(event)
        } catch {
            throw ClientError.publishFailed(error, relays: pool.urls)
        }
        return event
    }
}
