/// The events of one generation: `.token`s, then `.done` last.
///
/// Stopping early is how the worker enforces a prepaid budget: cancel the
/// task that iterates, or call `cancel()`. Either way the HTTP request is
/// cancelled, which closes its connection, so the backend stops generating.
/// A stream stopped that way ends without `.done` and without an error.
/// A stream dropped without being iterated keeps generating until its end,
/// so call `cancel()` on one you abandon.
public struct InferenceStream: AsyncSequence, Sendable {
    public typealias Element = InferenceEvent
    public typealias Continuation = AsyncThrowingStream<InferenceEvent, any Error>.Continuation

    private let events: AsyncThrowingStream<InferenceEvent, any Error>
    private let producer: Task<Void, Never>

    /// Runs `produce` in its own task; whatever it yields is the stream.
    /// Backends throw `InferenceError`; cancellation ends the stream quietly.
    public init(_ produce: @escaping @Sendable (Continuation) async throws -> Void) {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: InferenceEvent.self, throwing: (any Error).self)
        let producer = Task {
            do {
                try await produce(continuation)
                continuation.finish()
            } catch {
                if Task.isCancelled || error is CancellationError {
                    continuation.finish()
                } else {
                    continuation.finish(throwing: error)
                }
            }
        }
        // A consumer that stops iterating (its task cancelled, or the stream
        // dropped) must not leave the request running.
        continuation.onTermination = { _ in producer.cancel() }
        self.events = events
        self.producer = producer
    }

    /// Stop the generation and close the connection to the backend.
    public func cancel() { producer.cancel() }

    public func makeAsyncIterator() -> AsyncThrowingStream<InferenceEvent, any Error>.AsyncIterator {
        events.makeAsyncIterator()
    }
}
