extension RelayConnection {
    /// The state now, then each change, until `close()`. A relay that is
    /// down shows as `waitingToReconnect` after every failed attempt, which
    /// is the only sign a caller gets that it cannot be reached: a
    /// subscription on it just stays silent.
    public func states() -> AsyncStream<State> {
        let (stream, continuation) = AsyncStream.makeStream(of: State.self, bufferingPolicy: .bufferingNewest(64))
        continuation.yield(state)
        guard state != .closed else {
            continuation.finish()
            return stream
        }
        stateWatcherCounter += 1
        let id = stateWatcherCounter
        stateWatchers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.stopWatchingState(id) }
        }
        return stream
    }

    func stopWatchingState(_ id: Int) {
        stateWatchers[id] = nil
    }
}

extension RelayConnection.State {
    /// Nothing can come from the relay now: its last connection attempt
    /// failed or its socket closed (a retry may follow), or `close()` ended it.
    public var isDown: Bool {
        switch self {
        case .waitingToReconnect, .closed: true
        case .idle, .connecting, .connected: false
        }
    }
}

/// A connection's state, with the relay it belongs to.
public struct RelayState: Sendable, Hashable {
    public let relay: String
    public let state: RelayConnection.State

    public init(relay: String, state: RelayConnection.State) {
        self.relay = relay
        self.state = state
    }
}

extension RelayPool {
    /// Every connection's state now and at each change (see
    /// `RelayConnection.states()`); ends when all connections are closed.
    public func states() -> AsyncStream<RelayState> {
        let (stream, sink) = AsyncStream.makeStream(of: RelayState.self)
        let connections = self.connections
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for connection in connections {
                    group.addTask {
                        for await state in await connection.states() {
                            sink.yield(RelayState(relay: connection.url, state: state))
                        }
                    }
                }
            }
            sink.finish()
        }
        sink.onTermination = { _ in task.cancel() }
        return stream
    }
}
