import Nostr
import NostrRelay

/// One-shot reads: what the relays hold now, up to their end-of-stored-events.
enum StoredEvents {
    /// Collects the events matching `filters` until every relay has sent
    /// EOSE or is down (`RelayPool.fetchStored`), or `timeout`. If no relay
    /// answered at all, that is an error, not an empty market.
    static func fetch(_ filters: [Filter], from pool: RelayPool, timeout: Duration) async throws(ClientError) -> [Event] {
        let read = await pool.fetchStored(filters, timeout: timeout)
        if read.answered.isEmpty { throw .relaysUnreachable(pool.urls) }
        return read.events
    }
}
