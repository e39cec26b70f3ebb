import Logging
import Nostr

/// A publish the pool got through.
public struct PoolPublishResult: Sendable, Hashable {
    /// The first relay that said OK.
    public let accepted: PublishResult
    /// Relays that had already refused or timed out by then.
    public let refusals: [RelayError]
}

public enum RelayPoolError: Error, Hashable, CustomStringConvertible {
    case noRelays
    /// Every relay refused or timed out; each one's reason.
    case allRefused([RelayError])

    public var description: String {
        switch self {
        case .noRelays: "the relay pool has no relays"
        case .allRefused(let errors): "no relay accepted the event: " + errors.map(\.description).joined(separator: "; ")
        }
    }
}

/// An item of a pool subscription, with the relay it came from.
public enum PoolItem: Sendable, Hashable {
    /// The first copy of an event; later copies from other relays are dropped.
    case event(Event, relay: String)
    case endOfStoredEvents(relay: String)
    case closed(relay: String, reason: String)
}

/// Several relays used as one: publish to all, accept on the first OK,
/// subscribe everywhere and see each event once.
public final class RelayPool: Sendable {
    public let connections: [RelayConnection]
    let logger: Logger

    public init(
        urls: [String], configuration: RelayConfiguration = .init(),
        logger: Logger = Logger(label: "loom.relay-pool")
    ) throws(RelayError) {
        var seen = Set<String>()
        var connections: [RelayConnection] = []
        for url in urls where seen.insert(url).inserted {
            connections.append(try RelayConnection(url: url, configuration: configuration, logger: logger))
        }
        self.connections = connections
        self.logger = logger
    }

    public var urls: [String] { connections.map(\.url) }

    /// Starts every connection; relays that are down keep being retried.
    public func connect() async {
        for connection in connections { await connection.connect() }
    }

    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for connection in connections { group.addTask { await connection.close() } }
        }
    }

    /// Returns on the first OK. The other relays' deliveries go on in the
    /// background (each bounded by its timeout) so the event still reaches all
    /// of them; cancelling the caller cancels those too.
    public func publish(_ event: Event, timeout: Duration? = nil) async throws(RelayPoolError) -> PoolPublishResult {
        guard !connections.isEmpty else { throw .noRelays }
        let (results, sink) = AsyncStream.makeStream(of: Result<PublishResult, RelayError>.self)
        let deliveries = connections.map { connection in
            Task {
                do throws(RelayError) {
                    sink.yield(.success(try await connection.publish(event, timeout: timeout)))
                } catch {
                    sink.yield(.failure(error))
                }
            }
        }
        let logger = self.logger
        let total = connections.count
        let outcome: Result<PoolPublishResult, RelayPoolError> = await withTaskCancellationHandler {
            var refusals: [RelayError] = []
            for await result in results {
                switch result {
                case .success(let ok):
                    logger.debug("published", metadata: ["id": "\(event.id)", "relay": "\(ok.relay)"])
                    return .success(PoolPublishResult(accepted: ok, refusals: refusals))
                case .failure(let error):
                    refusals.append(error)
                    if refusals.count == total { return .failure(.allRefused(refusals)) }
                }
            }
            return .failure(.allRefused(refusals))
        } onCancel: {
            for delivery in deliveries { delivery.cancel() }
        }
        return try outcome.get()
    }

    /// Subscribes on every relay; each event id is passed on once, remembered
    /// in a bounded set so a long-lived subscription uses bounded memory.
    /// `admit` is each connection's pre-signature gate (`RelayConnection.subscribe`).
    /// `requested` is called once every connection has queued its REQ: what
    /// this pool sends after that leaves behind it on each socket.
    public func subscribe(
        _ filters: [Filter], admit: EventGate? = nil, requested: (@Sendable () -> Void)? = nil
    ) -> PoolSubscription {
        let (stream, continuation) = AsyncStream.makeStream(
            of: PoolItem.self,
            bufferingPolicy: .bufferingOldest(connections.first?.configuration.subscriptionBuffer ?? 10_000))
        let capacity = connections.first?.configuration.dedupeCapacity ?? 10_000
        let connections = self.connections
        let task = Task {
            let (merged, mergedSink) = AsyncStream.makeStream(of: (String, SubscriptionItem).self)
            let (queued, queuedSink) = AsyncStream.makeStream(of: Void.self)
            async let forwarding: Void = withTaskGroup(of: Void.self) { group in
                if let requested {
                    group.addTask {
                        var waiting = connections.count
                        if waiting > 0 {
                            for await _ in queued {
                                waiting -= 1
                                if waiting == 0 { break }
                            }
                        }
                        if waiting == 0 { requested() }
                    }
                }
                for connection in connections {
                    group.addTask {
                        let subscription = await connection.subscribe(filters, admit: admit)
                        queuedSink.yield()
                        for await item in subscription { mergedSink.yield((connection.url, item)) }
                    }
                }
                await group.waitForAll()
                mergedSink.finish()
            }
            var seen = RecentIDs(capacity: capacity)
            for await (relay, item) in merged {
                switch item {
                case .event(let event):
                    if seen.insert(event.id) { continuation.yield(.event(event, relay: relay)) }
                case .endOfStoredEvents:
                    continuation.yield(.endOfStoredEvents(relay: relay))
                case .closed(let reason):
                    continuation.yield(.closed(relay: relay, reason: reason))
                }
            }
            await forwarding
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return PoolSubscription(stream: stream, continuation: continuation)
    }
}

/// The merged, deduplicated items of a pool subscription. Ending the
/// iteration closes the subscription on every relay.
public struct PoolSubscription: AsyncSequence, Sendable {
    public typealias Element = PoolItem
    public typealias Failure = Never
    let stream: AsyncStream<PoolItem>
    let continuation: AsyncStream<PoolItem>.Continuation

    public func cancel() { continuation.finish() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = PoolItem
        public typealias Failure = Never
        var base: AsyncStream<PoolItem>.Iterator
        public mutating func next() async -> PoolItem? { await base.next() }
    }
}
