import Nostr

/// What a one-shot read of stored events got, relay by relay.
public struct StoredEventsRead: Sendable {
    /// Every relay of the pool.
    public let relays: Set<String>
    /// Each event once, in the order the pool passed them on.
    public internal(set) var events: [Event] = []
    /// Relays that sent EOSE.
    public internal(set) var ended = Set<String>()
    /// Relays that ended the subscription (CLOSED), with their reason.
    public internal(set) var closed: [String: String] = [:]
    /// Relays that sent anything at all: reachable, even if they had nothing.
    public internal(set) var answered = Set<String>()
    /// Relays down when the read ended: their last attempt to connect failed
    /// or their socket closed, and they have not connected since.
    public internal(set) var down = Set<String>()

    public init(relays: [String]) { self.relays = Set(relays) }

    /// Relays the read would still wait for: neither finished nor down.
    public var waiting: Set<String> { relays.subtracting(ended).subtracting(closed.keys).subtracting(down) }
    public var isComplete: Bool { waiting.isEmpty }

    mutating func note(_ item: PoolItem) {
        switch item {
        case .event(let event, let relay):
            events.append(event)
            answered.insert(relay)
        case .endOfStoredEvents(let relay):
            ended.insert(relay)
            answered.insert(relay)
        case .closed(let relay, let reason):
            closed[relay] = reason
            answered.insert(relay)
        }
    }

    mutating func note(_ update: RelayState) {
        if update.state.isDown {
            down.insert(update.relay)
        } else if update.state == .connected {
            // Back up: its stored events are worth waiting for after all.
            down.remove(update.relay)
        }
        // Connecting again after a failure changes nothing until it succeeds or fails.
    }
}

extension RelayPool {
    /// The stored events matching `filters`, read until every relay has sent
    /// EOSE or CLOSED or is down, or `timeout`. A dead relay's subscription
    /// is silent; only its connection state tells the read to stop waiting
    /// for it, so one dead relay costs a refused connection, not the timeout.
    public func fetchStored(_ filters: [Filter], timeout: Duration) async -> StoredEventsRead {
        enum Signal: Sendable {
            case item(PoolItem)
            case state(RelayState)
        }
        guard !connections.isEmpty else { return StoredEventsRead(relays: []) }
        await connect()
        let subscription = subscribe(filters)
        let updates = states()
        let (signals, sink) = AsyncStream.makeStream(of: Signal.self)
        let relays = urls
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { for await item in subscription { sink.yield(.item(item)) } }
            group.addTask { for await update in updates { sink.yield(.state(update)) } }
            group.addTask {
                try? await Task.sleep(for: timeout)
                sink.finish()
            }
            var read = StoredEventsRead(relays: relays)
            for await signal in signals {
                switch signal {
                case .item(let item): read.note(item)
                case .state(let state): read.note(state)
                }
                if read.isComplete { break }
            }
            subscription.cancel()
            group.cancelAll()
            sink.finish()
            return read
        }
    }
}
