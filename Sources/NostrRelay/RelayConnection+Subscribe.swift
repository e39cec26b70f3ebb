import Nostr

/// A subscriber's test of an event that matched its filters, made before the
/// (far dearer) signature check. Must be cheap and must not block.
public typealias EventGate = @Sendable (Event) -> Bool

extension RelayConnection {
    struct LiveSubscription {
        let filters: [Filter]
        /// The subscriber's own cheap gate, asked before the signature check.
        let admit: EventGate?
        let continuation: AsyncStream<SubscriptionItem>.Continuation
        /// Newest `created_at` delivered: where a resubscription picks up.
        var newest: Int64?
        var sawEndOfStoredEvents = false
        var seen: RecentIDs
    }

    /// Sends REQ now (or on the next socket) and keeps it alive across
    /// reconnections until the iteration ends, `cancel()`, CLOSED, or `close()`.
    ///
    /// `admit`, when given, sees each matching event before its signature is
    /// checked; events it refuses are dropped unverified. A worker passes its
    /// whitelist here, so requests from strangers cost a parse, not a Schnorr
    /// verification (the events that pass are still verified).
    public func subscribe(_ filters: [Filter], admit: EventGate? = nil) -> Subscription {
        subscriptionCounter += 1
        let id = "\(subscriptionPrefix)-\(subscriptionCounter)"
        let (stream, continuation) = AsyncStream.makeStream(
            of: SubscriptionItem.self, bufferingPolicy: .bufferingOldest(configuration.subscriptionBuffer))
        let subscription = Subscription(id: id, stream: stream, continuation: continuation)
        guard state != .closed, !filters.isEmpty else {
            continuation.yield(.closed(filters.isEmpty ? "no filters given" : "connection closed"))
            continuation.finish()
            return subscription
        }
        subscriptions[id] = LiveSubscription(
            filters: filters, admit: admit, continuation: continuation,
            seen: RecentIDs(capacity: configuration.dedupeCapacity))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        send(.req(subscriptionID: id, filters: filters))
        logger.debug("subscribed", metadata: ["subscription": "\(id)"])
        return subscription
    }

    func unsubscribe(_ id: String) {
        guard subscriptions.removeValue(forKey: id) != nil else { return }
        send(.close(subscriptionID: id))
        logger.debug("unsubscribed", metadata: ["subscription": "\(id)"])
    }

    /// After a reconnection every live subscription asks again, from a little
    /// before the newest event it has (never later than now, so an event
    /// dated in the future cannot make us skip what comes meanwhile).
    func resendSubscriptions() {
        let now = Event.now()
        for (id, sub) in subscriptions.sorted(by: { $0.key < $1.key }) {
            var filters = sub.filters
            if let newest = sub.newest {
                let since = min(newest, now) - configuration.resubscribeMargin
                filters = filters.map { $0.resumed(since: since) }
            }
            send(.req(subscriptionID: id, filters: filters))
        }
    }

    func resendAll() {
        resendSubscriptions()
        resendPublishes()
    }

    /// Checks run cheapest first: known subscription, filters, the subscriber's gate, then the signature.
    func deliver(_ event: Event, to id: String) {
        guard var sub = subscriptions[id] else {
            statistics.droppedUnknownSubscription += 1
            return
        }
        guard sub.filters.contains(where: { $0.matches(event) }) else {
            statistics.droppedUnmatched += 1
            logger.debug("dropped event outside the filters", metadata: ["id": "\(event.id)"])
            return
        }
        if let admit = sub.admit, !admit(event) {
            statistics.droppedNotAdmitted += 1
            return
        }
        do { try event.verify() } catch {
            statistics.droppedInvalid += 1
            logger.debug("dropped invalid event", metadata: ["id": "\(event.id)", "error": "\(error)"])
            return
        }
        // Repeats are expected after a resubscription's safety margin.
        guard sub.seen.insert(event.id) else {
            statistics.droppedDuplicate += 1
            return
        }
        sub.newest = max(sub.newest ?? event.createdAt, event.createdAt)
        subscriptions[id] = sub
        if case .dropped = sub.continuation.yield(.event(event)) {
            statistics.droppedSubscriberBehind += 1
            logger.warning("subscriber too slow, event dropped", metadata: ["subscription": "\(id)"])
            return
        }
        statistics.eventsDelivered += 1
    }

    func endOfStoredEvents(_ id: String) {
        guard var sub = subscriptions[id], !sub.sawEndOfStoredEvents else { return }
        sub.sawEndOfStoredEvents = true
        subscriptions[id] = sub
        sub.continuation.yield(.endOfStoredEvents)
    }

    func closedByRelay(_ id: String, reason: String) {
        guard let sub = subscriptions.removeValue(forKey: id) else { return }
        logger.info("relay closed subscription", metadata: ["subscription": "\(id)", "reason": "\(reason.prefix(200))"])
        sub.continuation.yield(.closed(reason))
        sub.continuation.finish()
    }
}
