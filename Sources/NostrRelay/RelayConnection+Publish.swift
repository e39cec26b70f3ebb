import Nostr

extension RelayConnection {
    struct PendingPublish {
        let event: Event
        let continuation: CheckedContinuation<Result<PublishResult, RelayError>, Never>
        /// The socket generation it was written on; nil while still waiting for one.
        var sentOn: Int?
        let timer: Task<Void, Never>
    }

    /// Sends `event` and waits for the relay's OK. While disconnected the event
    /// waits for the next socket; the timeout covers both.
    /// Throws `.rejected` with the relay's own reason when it says no.
    public func publish(_ event: Event, timeout: Duration? = nil) async throws(RelayError) -> PublishResult {
        guard state != .closed else { throw .connectionClosed(relay: url) }
        let limit = timeout ?? configuration.publishTimeout
        ticketCounter += 1
        let ticket = ticketCounter
        let relay = url
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<PublishResult, RelayError>, Never>) in
                let timer = Task { [weak self] in
                    do { try await Task.sleep(for: limit) } catch { return }
                    await self?.settle(ticket, .failure(.timedOut(relay: relay, after: limit)))
                }
                var pending = PendingPublish(event: event, continuation: continuation, sentOn: nil, timer: timer)
                if outbox != nil {
                    send(.event(event))
                    pending.sentOn = generation
                }
                publishes[ticket] = pending
                logger.debug("publishing", metadata: ["id": "\(event.id)", "kind": "\(event.kind)"])
            }
        } onCancel: {
            Task { await self.settle(ticket, .failure(.cancelled(relay: relay))) }
        }
        return try result.get()
    }

    func settle(_ ticket: Int, _ result: Result<PublishResult, RelayError>) {
        guard let pending = publishes.removeValue(forKey: ticket) else { return }
        pending.timer.cancel()
        pending.continuation.resume(returning: result)
    }

    /// After a reconnection: publishes never answered go out again. A relay
    /// that stored the first copy answers "duplicate", which is still an OK.
    func resendPublishes() {
        for ticket in publishes.keys.sorted() {
            send(.event(publishes[ticket]!.event))
            publishes[ticket]!.sentOn = generation
        }
    }

    func acknowledge(eventID: String, accepted: Bool, message: String) {
        var tickets = publishes.filter { $0.value.event.id == eventID }.map(\.key)
        if tickets.isEmpty && eventID.isEmpty {
            // nostr-relay answers a refused EVENT with an empty id. Relays read
            // a socket in order, so the oldest publish written on this socket
            // is the one being answered.
            if let oldest = publishes.filter({ $0.value.sentOn == generation }).keys.min() { tickets = [oldest] }
        }
        guard !tickets.isEmpty else {
            logger.debug("OK for an event we are not waiting for", metadata: ["id": "\(eventID)"])
            return
        }
        // The relay holding the event already is what a publish wants. NIP-01
        // says OK true for that, but nostr-relay 1.14 says false "duplicate: exists".
        let stored = accepted || message.hasPrefix("duplicate:")
        for ticket in tickets {
            let id = publishes[ticket]!.event.id
            if stored {
                settle(ticket, .success(PublishResult(relay: url, eventID: id, message: message)))
            } else {
                logger.info("relay refused event", metadata: ["id": "\(id)", "reason": "\(message.prefix(200))"])
                settle(ticket, .failure(.rejected(relay: url, reason: message)))
            }
        }
    }
}
