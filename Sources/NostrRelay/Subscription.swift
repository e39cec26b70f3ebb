import Nostr

/// One item of a subscription.
public enum SubscriptionItem: Sendable, Hashable {
    /// An event that matched the filters, within the size limit, with a valid signature.
    case event(Event)
    /// The relay has sent all the stored events it had; what follows is live.
    /// Given once per subscription, not again after a reconnection.
    case endOfStoredEvents
    /// The relay ended the subscription (CLOSED); its reason. Nothing follows.
    case closed(String)
}

/// The items of one REQ, across reconnections. Ending the iteration (the
/// task is cancelled, or `cancel()`) sends CLOSE to the relay.
public struct Subscription: AsyncSequence, Sendable {
    public typealias Element = SubscriptionItem
    public typealias Failure = Never
    public let id: String
    let stream: AsyncStream<SubscriptionItem>
    let continuation: AsyncStream<SubscriptionItem>.Continuation

    public func cancel() { continuation.finish() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = SubscriptionItem
        public typealias Failure = Never
        var base: AsyncStream<SubscriptionItem>.Iterator
        public mutating func next() async -> SubscriptionItem? { await base.next() }
    }
}
