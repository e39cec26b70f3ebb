import Cashu
import Foundation
import LoomProtocol
import Nostr

/// One step of a streamed job, in the order a reader should take them.
public enum JobStreamEvent: Sendable, Hashable {
    /// The job's public progress (its 30100 status), as `follow` reports it.
    case status(JobProgress)
    /// The next piece of the output, in `seq` order.
    case chunk(JobChunk)
    /// Chunks that never came: their text is only in the result. After a
    /// gap the chunks no longer join up into the output; a reader that
    /// prints text stops at the first gap and prints `rest` at the end.
    case gap(Range<UInt64>)
    /// The end, always the last event: the job settled as `follow` settles it.
    case result(StreamedOutcome)
}

/// A streamed job's end: the settled outcome and how the chunks compare to it.
public struct StreamedOutcome: Sendable, Hashable {
    /// Exactly what `follow` returns: the authoritative output (from the
    /// result, downloaded and hash-checked), the bill, the change.
    public var outcome: JobOutcome
    /// The output text the chunks delivered in order from the first chunk,
    /// up to the first gap.
    public var streamed: String
    public var chunksReceived: Int
    /// The part of the output the chunks did not deliver: the output after
    /// `streamed`. Empty when the chunks carried it all; nil when there is no
    /// output to compare, or the output does not begin with `streamed` (a
    /// worker whose chunks and result disagree): then show `outcome.output` whole.
    public var rest: String?

    /// The chunks delivered the whole output.
    public var isComplete: Bool { rest == "" }
}

/// A job that was paid, journaled and published with `stream`, and its events.
public struct StreamingJob: Sendable {
    public let job: SubmittedJob
    /// Statuses, chunks and gaps as they come, then one `.result`; ends there,
    /// at the timeout (a `.result` with status `timeout`), or throws what
    /// settling throws (as `follow` does).
    public let events: AsyncThrowingStream<JobStreamEvent, any Error>
}

extension JobClient {
    /// How long `submitStreaming` waits for the chunk subscription to be in
    /// place before it publishes anyway (the chunks sent meanwhile are then
    /// a gap at the start, and the result has the text).
    public static let subscribeWait: Duration = .seconds(5)

    /// Pays for and sends `order` asking for a live stream, subscribed to
    /// its chunks before the request leaves (relays keep no ephemeral
    /// events, so a later subscription would miss the first ones). Everything
    /// else is `submit` followed by `stream(jobID:worker:timeout:)`.
    ///
    /// `statusTimeout`, as in `follow`: when the worker has said nothing at
    /// all by then, the stream ends as a timeout with no status, the payment
    /// is reclaimed, and a caller with other workers (`loom gateway`) tries the next.
    public func submitStreaming(
        _ order: JobOrder, to offer: WorkerOffer, paying source: PaymentSource, timeout: Duration = .seconds(600),
        statusTimeout: Duration? = nil
    ) async throws -> StreamingJob {
        var prepared = try await prepare(order, to: offer, paying: source, stream: true)
        let subscribing = ContinuousClock.now
        let (ready, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let events = stream(
            jobID: prepared.jobID, worker: prepared.worker, timeout: timeout, statusTimeout: statusTimeout
        ) {
            signal.yield()
            signal.finish()
        }
        await Self.first(of: ready, within: Self.subscribeWait)
        let publishing = ContinuousClock.now
        try await publish(prepared, workerRelays: offer.advertisement.relays)
        prepared.spans.subscribe = publishing - subscribing
        prepared.spans.publish = .now - publishing
        return StreamingJob(job: prepared, events: events)
    }

    /// Follows a job with its live chunks: statuses, chunks in `seq` order,
    /// gaps, and at the end the settled outcome (output, bill, change, as
    /// `follow` settles them) with what the chunks did not carry. Chunks are
    /// only those sent after the subscription; the result has everything.
    public func stream(
        jobID: String, worker: String, timeout: Duration = .seconds(600)
    ) -> AsyncThrowingStream<JobStreamEvent, any Error> {
        stream(jobID: jobID, worker: worker, timeout: timeout, statusTimeout: nil, subscribed: nil)
    }

    func stream(
        jobID: String, worker: String, timeout: Duration, statusTimeout: Duration?,
        subscribed: (@Sendable () -> Void)?
    ) -> AsyncThrowingStream<JobStreamEvent, any Error> {
        let updates = updates(jobID: jobID, worker: worker, chunks: true, subscribed: subscribed)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var assembler = ChunkAssembler()
                var last: JobProgress?
                var ending: JobEnding?
                var firstText: Duration?
                func pass(_ steps: [ChunkAssembler.Step]) {
                    for step in steps {
                        switch step {
                        case .chunk(let c): continuation.yield(.chunk(c))
                        case .gap(let g): continuation.yield(.gap(g))
                        }
                    }
                }
                let started = ContinuousClock.now
                let silence = statusTimeout.map { started + $0 }
                // Silent at the status timeout: the wait ends only if the payment came back (see `follow`).
                let reclaimed = Reclaimed()
                let onSilence: @Sendable () async -> Bool = {
                    guard let back = await self.reclaimForFailover(jobID) else { return false }
                    await reclaimed.set(back)
                    return true
                }
                for await update in Self.until(started + timeout, silence: silence, onSilence: onSilence, updates) {
                    switch update {
                    case .progress(let p):
                        last = p
                        continuation.yield(.status(p))
                    case .chunk(let c):
                        if firstText == nil { firstText = ContinuousClock.now - started }
                        pass(assembler.accept(c.chunk))
                    case .result(let r):
                        ending = .result(r)
                    case .invalidResult(let r):
                        ending = .invalid(r)
                    }
                }
                pass(assembler.finish())
                do {
                    var outcome: JobOutcome
                    if let back = await reclaimed.value {
                        outcome = JobOutcome(jobID: jobID, worker: worker, status: .timeout)
                        outcome.reclaimedSat = back
                        _ = try? journal.update(jobID) {
                            $0.cause = "silent"
                            $0.lastState = "timeout"
                            $0.stage = .settled
                        }
                    } else {
                        outcome = try await settle(
                            jobID: jobID, worker: worker, ending: ending, last: last, waited: ContinuousClock.now - started)
                    }
                    let rest = outcome.output.flatMap { Self.rest(of: $0, after: assembler.streamed) }
                    if outcome.output != nil, rest == nil, !assembler.streamed.isEmpty {
                        outcome.findings.append(.chunksDisagree)
                    }
                    let findings = outcome.findings
                    _ = try? journal.update(jobID) {
                        if let firstText { $0.firstTextMs = Self.milliseconds(firstText) }
                        if findings.contains(.chunksDisagree) {
                            $0.findings = Array(Set(($0.findings ?? []) + [Finding.chunksDisagree.rawValue])).sorted()
                        }
                    }
                    continuation.yield(
                        .result(
                            StreamedOutcome(
                                outcome: outcome, streamed: assembler.streamed, chunksReceived: assembler.delivered, rest: rest)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `output` after `streamed`, compared as UTF-8 bytes (as the worker
    /// joined them, with no Unicode normalisation); nil if it does not begin so.
    static func rest(of output: String, after streamed: String) -> String? {
        let whole = Array(output.utf8), head = Array(streamed.utf8)
        guard whole.starts(with: head) else { return nil }
        return String(decoding: whole[head.count...], as: UTF8.self)
    }

    /// The updates until they end or `deadline` passes, whichever is first;
    /// also at `silence` if no update came by then and `onSilence` says so.
    static func until(
        _ deadline: ContinuousClock.Instant, silence: ContinuousClock.Instant? = nil,
        onSilence: @escaping @Sendable () async -> Bool = { true }, _ updates: AsyncStream<JobUpdate>
    ) -> AsyncStream<JobUpdate> {
        AsyncStream { continuation in
            let heard = Heard()
            let reader = Task {
                for await update in updates {
                    await heard.set()
                    continuation.yield(update)
                }
                continuation.finish()
            }
            let timer = Task {
                if let silence {
                    try? await Task.sleep(until: silence)
                    if await !heard.value, await onSilence() { return continuation.finish() }
                }
                try? await Task.sleep(until: deadline)
                continuation.finish()
            }
            continuation.onTermination = { _ in
                reader.cancel()
                timer.cancel()
            }
        }
    }

    /// Waits for the first element of `signal`, at most `limit`.
    static func first(of signal: AsyncStream<Void>, within limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in signal { return } }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Whether a streamed job has said anything yet (for the silence deadline).
private actor Heard {
    var value = false
    func set() { value = true }
}

/// The payment a silent worker gave back, when the stream ended for it.
private actor Reclaimed {
    var value: Amount?
    func set(_ amount: Amount) { value = amount }
}
