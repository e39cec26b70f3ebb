import Foundation
import Inference

/// The backend as the worker sees it, with the moment of each `run` call
/// recorded (the end of admission) and the tokens of each stream counted.
final class TimedBackend: InferenceBackend, @unchecked Sendable {
    let base: any InferenceBackend
    private let lock = NSLock()
    private var calls: [ContinuousClock.Instant] = []
    private var counted: [Int] = []

    init(_ base: any InferenceBackend) { self.base = base }

    func models() async throws -> [ModelInfo] { try await base.models() }

    func run(_ request: InferenceRequest) -> InferenceStream {
        let at = ContinuousClock.now
        lock.withLock { calls.append(at) }
        let inner = base.run(request)
        return InferenceStream { continuation in
            var tokens = 0
            for try await event in inner {
                if case .token = event { tokens += 1 }
                continuation.yield(event)
            }
            self.lock.withLock { self.counted.append(tokens) }
        }
    }

    var callTimes: [ContinuousClock.Instant] { lock.withLock { calls } }
    var tokenCounts: [Int] { lock.withLock { counted } }
}
