import Nostr
import NostrRelay

/// One-shot reads: what the relays hold now, up to their end-of-stored-events.
enum StoredEvents {
    /// Collects the events matching `filters` until every relay has sent
    /// EOSE, or `timeout`. Relays that never answer are waited for only up
    /// to the timeout; if none answered at all, that is an error, not an
    /// empty market.
    static func fetch(_ filters: [Filter], from pool: RelayPool, timeout: Duration) async throws(ClientError) -> [Event] {
        await pool.connect()
        let subscription = pool.subscribe(filters)
        let relayCount = pool.connections.count
        let collected: (events: [Event], answered: Set<String>) = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                subscription.cancel()
            }
            var events: [Event] = []
            var answered = Set<String>(), finished = Set<String>()
            for await item in subscription {
                switch item {
                case .event(let event, let relay):
                    events.append(event)
                    answered.insert(relay)
                case .endOfStoredEvents(let relay), .closed(let relay, _):
                    answered.insert(relay)
                    finished.insert(relay)
                }
                if finished.count >= relayCount { break }
            }
            subscription.cancel()
            group.cancelAll()
            return (events, answered)
        }
        if collected.answered.isEmpty { throw .relaysUnreachable(pool.urls) }
        return collected.events
    }
}
