import Foundation
import Inference
import LoomProtocol
import NIOConcurrencyHelpers

/// Why a generation stopped before its natural end.
enum StopReason: Sendable, Equatable {
    /// The prepaid budget ran out: a normal end.
    case budget
    /// The requester's kind-5102: a normal end.
    case cancelled
    /// The worker is shutting down: the worker's fault.
    case shutdown
    /// An early-admitted job whose swap the mint refused or left unanswered:
    /// it is refused or waits for the mint, never settled as a run.
    case unpaid
}

/// Lets the intake (a cancel), the budget timer and shutdown stop one
/// generation. The first reason wins; a stop that comes before the stream
/// exists is applied when it is attached.
final class RunControl: Sendable {
    private let state = NIOLockedValueBox<(reason: StopReason?, stream: InferenceStream?)>((nil, nil))

    /// The last progress tick, for the dashboard (the journal keeps only the seconds).
    private let counters = NIOLockedValueBox<JobProgress?>(nil)

    var stopReason: StopReason? { state.withLockedValue { $0.reason } }

    var progress: JobProgress? { counters.withLockedValue { $0 } }

    func report(elapsedMs: UInt64, tokens: UInt64) {
        counters.withLockedValue { $0 = JobProgress(elapsedMs: elapsedMs, tokens: tokens) }
    }

    func stop(_ why: StopReason) {
        let stream = state.withLockedValue {
            if $0.reason == nil { $0.reason = why }
            return $0.stream
        }
        stream?.cancel()
        cue()
    }

    /// Work beside the run that should leave the cores to the backend until
    /// its first token (an early job's swap) waits for this cue: the first
    /// token, the end of the stream, a stop, or `limit` after it began waiting.
    private let cued = NIOLockedValueBox<(done: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func cue() {
        let waiting = cued.withLockedValue { cue -> [CheckedContinuation<Void, Never>] in
            guard !cue.done else { return [] }
            cue.done = true
            defer { cue.waiting = [] }
            return cue.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    func untilCued(atMost limit: Duration) async {
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: limit) } catch { return }
            self?.cue()
        }
        await withCheckedContinuation { waiter in
            let now = cued.withLockedValue { cue in
                if !cue.done { cue.waiting.append(waiter) }
                return cue.done
            }
            if now { waiter.resume() }
        }
        timer.cancel()
    }

    func attach(_ stream: InferenceStream) {
        let stopNow = state.withLockedValue {
            $0.stream = stream
            return $0.reason != nil
        }
        if stopNow { stream.cancel() }
    }
}

/// How a generation ended.
struct RunOutcome: Sendable {
    enum End: Sendable, Equatable {
        case completed
        case stopped(StopReason)
        case failed(JobFailure, detail: String)
    }
    var end: End
    var output: String
    var usage: Inference.Usage?
    var tokens: UInt64
    var elapsedMs: UInt64
}

/// Runs one job on the backend: streams tokens, stops at the budget or on
/// request, hands every token's text out as it comes, and reports progress
/// about once a second.
struct JobRunner: Sendable {
    let backend: any InferenceBackend

    /// What the runner hands out per token: its text and the backend time
    /// at its arrival. Synchronous on purpose: the token loop must never
    /// wait for whoever listens (the live chunks of a streamed job).
    typealias TextDelta = @Sendable (_ text: String, _ elapsedMs: UInt64) -> Void

    /// `started` runs once the backend request is on its way: what must be
    /// written before the first token but need not delay the request
    /// (the money is journaled already) goes there.
    func run(
        _ request: InferenceRequest, budgetSeconds: UInt64, control: RunControl,
        started: @Sendable () async -> Void = {}, delta: TextDelta? = nil,
        progress: @Sendable (_ elapsedMs: UInt64, _ tokens: UInt64) async -> Void
    ) async -> RunOutcome {
        // Billed time counts from the request, before `started`.
        let start = ContinuousClock.now
        let stream = backend.run(request)
        control.attach(stream)
        await started()
        return await withDiscardingTaskGroup { group in
            // The budget is a hard stop: the stream is cancelled, which closes the
            // backend connection. The timer ends with the generation.
            group.addTask {
                do { try await Task.sleep(for: .seconds(budgetSeconds)) } catch { return }
                control.stop(.budget)
            }
            defer { group.cancelAll() }
            return await read(stream, since: start, control: control, delta: delta, progress: progress)
        }
    }

    /// The generation's tokens until the stream ends, however it ends.
    private func read(
        _ stream: InferenceStream, since start: ContinuousClock.Instant, control: RunControl, delta: TextDelta?,
        progress: @Sendable (_ elapsedMs: UInt64, _ tokens: UInt64) async -> Void
    ) async -> RunOutcome {
        let clock = ContinuousClock()
        func elapsedMs() -> UInt64 {
            let d = clock.now - start
            return UInt64(max(0, d.components.seconds)) * 1000 + UInt64(max(0, d.components.attoseconds) / 1_000_000_000_000_000)
        }
        var output = ""
        var tokens: UInt64 = 0
        var usage: Inference.Usage?
        var failure: (JobFailure, String)?
        var lastProgress = clock.now
        do {
            for try await event in stream {
                if tokens == 0 { control.cue() }
                switch event {
                case .token(let piece):
                    output += piece
                    tokens += 1
                    delta?(piece, elapsedMs())
                    if clock.now - lastProgress >= .seconds(1) {
                        lastProgress = clock.now
                        await progress(elapsedMs(), tokens)
                    }
                case .done(let u):
                    usage = u
                }
            }
        } catch let error as InferenceError {
            failure = (Self.failure(error), error.description)
        } catch {
            failure = (.backendError, "\(error)")
        }
        control.cue()
        let elapsed = elapsedMs()
        let end: RunOutcome.End
        if usage != nil {
            end = .completed
        } else if let reason = control.stopReason {
            end = .stopped(reason)
        } else if let failure {
            end = .failed(failure.0, detail: failure.1)
        } else {
            end = .failed(.backendError, detail: "the backend ended the stream without a final message")
        }
        // The worker's fault with nothing generated served the client nothing:
        // the time spent failing (a refused connection, a missing model) is not billed.
        let served: UInt64
        switch end {
        case .failed, .stopped(.shutdown): served = tokens == 0 ? 0 : elapsed
        default: served = elapsed
        }
        return RunOutcome(end: end, output: output, usage: usage, tokens: tokens, elapsedMs: served)
    }

    static func failure(_ error: InferenceError) -> JobFailure {
        switch error {
        case .backendUnreachable: .backendUnavailable
        case .modelNotFound: .modelMissing
        case .outOfMemory: .outOfMemory
        case .backendError, .malformedStream: .backendError
        }
    }
}
