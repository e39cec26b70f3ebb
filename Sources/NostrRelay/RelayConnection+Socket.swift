import Foundation
import WSClient

/// One socket's life, with a deadline on its upgrade.
///
/// WSClient waits for the relay's answer to the WebSocket upgrade on a NIO
/// future, which ignores task cancellation and has no timeout of its own. A
/// relay that accepts TCP and never answers would hold the connection in
/// `connecting` for ever, and `close()` (which waits for the run loop) with
/// it. So the socket runs in a task of its own, and the run loop stops
/// waiting for it when the upgrade misses `handshakeTimeout` or `close()`
/// cancels. The abandoned task still holds its socket until the relay lets
/// go (WSClient gives us no handle on the channel to close it), so at most
/// `maxAbandonedHandshakes` are left outstanding per connection.
extension RelayConnection {
    struct HandshakeTimedOut: Error, CustomStringConvertible {
        let after: Duration
        var description: String { "no answer to the WebSocket upgrade within \(after)" }
    }

    func runSocket(attempt: Int, configuration ws: WebSocketClientConfiguration) async throws {
        let outcome = SocketOutcome()
        openSockets.insert(attempt)
        let socket = Task { [url, logger] in
            let client = WebSocketClient(url: url, configuration: ws, logger: logger) { inbound, outbound, _ in
                try await self.serve(inbound: inbound, outbound: outbound, attempt: attempt)
            }
            do {
                try await client.run()
                outcome.finish(.success(()))
            } catch {
                outcome.finish(.failure(error))
            }
            await self.socketEnded(attempt)
        }
        let timeout = configuration.handshakeTimeout
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            if await !self.hasAttached(attempt) { outcome.finish(.failure(HandshakeTimedOut(after: timeout))) }
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler {
            await outcome.value
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
        if openSockets.contains(attempt) {
            if attachedAttempt == attempt {
                // A live socket ends promptly once its outbox is finished
                // (close() did that) and WSCore sends its close frame.
                await socket.value
            } else {
                abandoned.insert(attempt)
                if case .failure(let error) = result, error is HandshakeTimedOut { statistics.handshakesTimedOut += 1 }
            }
        }
        try result.get()
    }

    var abandonedHandshakes: Int { abandoned.count }

    func hasAttached(_ attempt: Int) -> Bool { attachedAttempt == attempt }

    private func socketEnded(_ attempt: Int) {
        openSockets.remove(attempt)
        abandoned.remove(attempt)
    }
}

/// The first of: the socket ended, its upgrade timed out, or we were
/// cancelled. Later ones are ignored.
final class SocketOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Void, any Error>?
    private var waiter: CheckedContinuation<Result<Void, any Error>, Never>?

    func finish(_ outcome: Result<Void, any Error>) {
        lock.lock()
        guard result == nil else {
            lock.unlock()
            return
        }
        result = outcome
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(returning: outcome)
    }

    var value: Result<Void, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                lock.lock()
                if let result {
                    lock.unlock()
                    continuation.resume(returning: result)
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        }
    }
}
