import Foundation
import Logging
import NIOCore
import Nostr
import WSClient

/// One relay, kept connected until `close()`: reconnects with backoff when the
/// socket drops, re-sends live subscriptions from where they left off, and
/// holds publishes until there is a socket to send them on.
public actor RelayConnection {
    public enum State: Sendable, Hashable {
        case idle, connecting, connected, waitingToReconnect(attempt: Int), closed
    }

    /// What was dropped and why, for operators and tests.
    public struct Statistics: Sendable, Hashable {
        public var connections = 0
        public var eventsDelivered = 0
        public var droppedTooLarge = 0
        public var droppedMalformed = 0
        public var droppedUnmatched = 0
        /// Refused by the subscription's `admit` gate (never signature-checked).
        public var droppedNotAdmitted = 0
        public var droppedInvalid = 0
        public var droppedDuplicate = 0
        public var droppedUnknownSubscription = 0
        public var droppedSubscriberBehind = 0
        public var notices = 0
        /// Upgrades given up on after `handshakeTimeout`.
        public var handshakesTimedOut = 0
    }

    /// Sockets given up on whose upgrade may still be pending. Past this many
    /// no new one is opened until one ends, so a relay that holds every
    /// socket it gets cannot make us pile them up.
    static let maxAbandonedHandshakes = 2
    /// Numbers each socket opened, so a late upgrade of one given up on
    /// cannot take over (see `runSocket`).
    var socketAttempt = 0
    var attachedAttempt: Int?
    var openSockets: Set<Int> = []
    var abandoned: Set<Int> = []

    public nonisolated let url: String
    public nonisolated let configuration: RelayConfiguration
    let logger: Logger
    public internal(set) var state: State = .idle {
        // Watchers (`states()`) hear each change, so a one-shot read can stop
        // waiting for a relay that cannot be reached.
        didSet { if state != oldValue { for watcher in stateWatchers.values { watcher.yield(state) } } }
    }
    public internal(set) var statistics = Statistics()
    public var isConnected: Bool { state == .connected }

    var runner: Task<Void, Never>?
    /// Messages for the socket currently open; nil while there is none.
    var outbox: AsyncStream<String>.Continuation?
    /// Counts sockets, so a publish knows whether it went out on the current one.
    var generation = 0
    var subscriptions: [String: LiveSubscription] = [:]
    var subscriptionCounter = 0
    let subscriptionPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    var publishes: [Int: PendingPublish] = [:]
    var ticketCounter = 0
    var stateWatchers: [Int: AsyncStream<State>.Continuation] = [:]
    var stateWatcherCounter = 0

    public init(
        url: String, configuration: RelayConfiguration = .init(),
        logger: Logger = Logger(label: "loom.relay")
    ) throws(RelayError) {
        guard let parsed = URL(string: url), ["ws", "wss"].contains(parsed.scheme?.lowercased() ?? ""),
            let host = parsed.host, !host.isEmpty
        else { throw .invalidURL(url) }
        self.url = url
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "relay"] = "\(url)"
        self.logger = logger
    }

    /// Starts connecting in the background and returns at once; a relay that
    /// is down now is retried until `close()`.
    public func connect() {
        guard runner == nil, state != .closed else { return }
        state = .connecting
        // Detached, so that it inherits no task-locals: the connection lives
        // until `close()`. Started inside a service group's service, it would
        // inherit the group's graceful shutdown, and the WebSocket layer
        // (WSCore) would close the socket (and every reconnect) as soon as that
        // shutdown began, while the worker still needs the relays to settle.
        runner = Task.detached { await self.run() }
    }

    /// Ends subscriptions, fails waiting publishes and closes the socket.
    public func close() async {
        guard state != .closed else { return }
        state = .closed
        let live = subscriptions
        subscriptions.removeAll()
        for sub in live.values { sub.continuation.finish() }
        for ticket in publishes.keys { settle(ticket, .failure(.connectionClosed(relay: url))) }
        for watcher in stateWatchers.values { watcher.finish() }
        stateWatchers.removeAll()
        outbox?.finish()
        outbox = nil
        let runner = self.runner
        self.runner = nil
        runner?.cancel()
        await runner?.value
        logger.debug("closed")
    }

    // MARK: socket lifecycle

    /// The largest frame the WebSocket layer accepts. Above `maxEventBytes` so
    /// an oversized event is dropped by us (and counted) rather than taking
    /// the whole connection down; beyond this the socket is closed and retried.
    nonisolated var frameLimit: Int { max(configuration.maxEventBytes * 4, 1 << 20) }

    private func run() async {
        var attempt = 0
        var ws = WebSocketClientConfiguration(maxFrameSize: frameLimit, closeTimeout: .seconds(2))
        if let ping = configuration.pingInterval { ws.autoPing = .enabled(timePeriod: ping) }
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let connectionsBefore = statistics.connections
            socketAttempt += 1
            do {
                try await runSocket(attempt: socketAttempt, configuration: ws)
                if state == .connected { logger.info("relay closed the connection") }
            } catch  where Task.isCancelled || state == .closed {
                // close() ended it; nothing went wrong.
            } catch {
                // A lost socket or a first failure at info; the retries of a
                // relay that stays down at debug, so a long outage is not a flood.
                let level: Logger.Level = state == .connected || attempt == 0 ? .info : .debug
                logger.log(
                    level: level, "relay connection failed",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            detach()
            guard !Task.isCancelled, state != .closed else { break }
            // A connection that lived a while starts the backoff afresh; one
            // that drops at once keeps growing it, so a flapping relay is not
            // hammered. An attempt that never connected counts however long it
            // took to fail (a busy machine can take seconds to refuse).
            let connected = statistics.connections > connectionsBefore
            if connected, ContinuousClock.now - started > .seconds(10) { attempt = 0 }
            let delay = configuration.backoff.delay(attempt: attempt)
            attempt += 1
            state = .waitingToReconnect(attempt: attempt)
            logger.debug("reconnecting", metadata: ["in": "\(delay)", "attempt": "\(attempt)"])
            do { try await Task.sleep(for: delay) } catch { break }
            // Sockets still held by a relay that never answered their upgrade:
            // wait for one to end before opening another.
            while abandoned.count >= Self.maxAbandonedHandshakes, state != .closed {
                do { try await Task.sleep(for: configuration.backoff.delay(attempt: attempt)) } catch { break }
            }
            // The sleep can end normally just before close() cancels us; never reopen a closed connection.
            guard !Task.isCancelled, state != .closed else { break }
            state = .connecting
        }
    }

    /// Runs for the life of one socket: one task writes what the actor queues,
    /// the other hands each message to the actor. Either ending ends the socket.
    nonisolated func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, attempt: Int
    ) async throws {
        let (outgoing, sink) = AsyncStream.makeStream(of: String.self)
        guard await attach(sink, attempt: attempt) else { return }
        let limit = frameLimit
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outgoing { try await outbound.writeTextMessage(text) }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: limit) {
                    switch message {
                    case .text(let text): await self.receive(Data(text.utf8))
                    case .binary(let buffer): await self.receive(Data(buffer.readableBytesView))
                    }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func attach(_ sink: AsyncStream<String>.Continuation, attempt: Int) -> Bool {
        // A socket given up on (its upgrade came too late) must not take over.
        guard state != .closed, attempt == socketAttempt, !abandoned.contains(attempt) else {
            sink.finish()
            return false
        }
        attachedAttempt = attempt
        generation += 1
        outbox = sink
        state = .connected
        statistics.connections += 1
        logger.info("connected")
        resendAll()
        return true
    }

    private func detach() {
        outbox?.finish()
        outbox = nil
        attachedAttempt = nil
        if state == .connected { state = .connecting }
    }

    func send(_ message: ClientMessage) {
        outbox?.yield(message.json)
    }

    // MARK: incoming

    /// Room for `["EVENT","<subscription id>",` and `]` around an event.
    static let envelopeAllowance = 256

    func receive(_ data: Data) {
        // Cheapest check first: size, before any parsing or signature work.
        guard data.count <= configuration.maxEventBytes + Self.envelopeAllowance else {
            statistics.droppedTooLarge += 1
            logger.debug("dropped oversized message", metadata: ["bytes": "\(data.count)"])
            return
        }
        let message: RelayMessage
        do { message = try RelayMessage(json: data) } catch {
            statistics.droppedMalformed += 1
            logger.debug("dropped malformed message", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .event(let id, let event): deliver(event, to: id)
        case .ok(let id, let accepted, let text): acknowledge(eventID: id, accepted: accepted, message: text)
        case .eose(let id): endOfStoredEvents(id)
        case .closed(let id, let reason): closedByRelay(id, reason: reason)
        case .notice(let text):
            statistics.notices += 1
            logger.info("relay notice", metadata: ["notice": "\(text.prefix(200))"])
        case .auth:
            logger.debug("ignoring AUTH challenge (NIP-42 not supported)")
        }
    }
}
