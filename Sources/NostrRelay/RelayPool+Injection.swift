import Foundation
import Nostr

/// For benchmarks only: hands a frame to a connection as if its relay had
/// sent it. A relay on loopback cannot push 2,000 events a second, so the
/// worker benchmark (`loom bench --filter worker`) feeds the connection
/// directly; everything after the socket still runs as usual (size check,
/// parse, filters, the subscriber's gate, signature, dedupe, the pool's merge).
@_spi(Bench)
extension RelayPool {
    public func inject(_ frame: Data, relay url: String) async {
        await connections.first { $0.url == url }?.receive(frame)
    }

    /// The id of the live subscription on `url` whose filters match `event`:
    /// the id a relay would put in the frames it sends for such events.
    public func subscriptionID(matching event: Event, relay url: String) async -> String? {
        await connections.first { $0.url == url }?.subscriptionID(matching: event)
    }
}

extension RelayConnection {
    func subscriptionID(matching event: Event) -> String? {
        subscriptions.first { $0.value.filters.contains { $0.matches(event) } }?.key
    }
}
