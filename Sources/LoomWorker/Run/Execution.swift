import Foundation
import Inference
import Logging
import LoomProtocol
import Nostr
import Secp256k1

/// Running placed jobs: one task per job, the next queued job when one ends.
///
/// Each job's task (`tasks[id]`, also the settling of a job that never ran)
/// is unstructured on purpose: it must outlive a cancelled `run`, so that a
/// forced stop still settles the job's money, and it is found by id (the
/// retry loop skips jobs in hand; shutdown waits for them all).
extension Worker {
    /// What `execute` needs from the journal, when the caller already has
    /// it in hand (an early admission, whose budget is not journaled yet).
    struct KnownTerms {
        var budget: UInt64
        var rate: Rate
        var expiresAt: Int64?
    }

    func start(_ id: String, known: KnownTerms? = nil) {
        tasks[id] = Task { await self.execute(id, known: known) }
    }

    func execute(_ id: String, known: KnownTerms? = nil) async {
        guard let job = live[id] else { return }
        let terms: KnownTerms
        if let known {
            terms = known
        } else {
            guard let record = try? journal.job(id) else { return }
            terms = KnownTerms(
                budget: record.budgetSeconds, rate: record.rate(or: configuration.rate), expiresAt: record.expiresAt)
        }
        if let expiresAt = terms.expiresAt, Event.now() >= expiresAt {
            // Waited past the client's deadline: not its fault, nothing served.
            return await settle(
                id, end: .failed(.workerShutdown, detail: "the request expired while queued"), output: "",
                usage: nil, elapsedMs: 0, failure: Self.expiredInQueue)
        }
        if case .blob = job.opened.request.input {
            // Only after a restart that could not fetch the input again: nothing
            // ran, so nothing is billed (a failure without outputs costs nothing).
            return await settle(
                id, end: .failed(.workerRestarted, detail: "the input blob could not be fetched again"), output: "",
                usage: nil, elapsedMs: 0)
        }
        let client = job.opened.client, budget = terms.budget, rate = terms.rate
        let streamer = chunkStreamer(for: job.opened)
        // The chunks' sender lives as long as the job's generation and
        // settling, and no longer: once the result is out it is cancelled.
        await withDiscardingTaskGroup { group in
            if let streamer { group.addTask { await streamer.run() } }
            await generate(id, job: job, client: client, budget: budget, rate: rate, streamer: streamer)
            group.cancelAll()
        }
    }

    /// Runs the backend for a job and settles what it produced.
    private func generate(
        _ id: String, job: LiveJob, client: String, budget: UInt64, rate: Rate, streamer: ChunkStreamer?
    ) async {
        let journal = self.journal, statuses = self.statuses, logger = self.logger, control = job.control
        let early = job.earlySwap != nil
        var delta: JobRunner.TextDelta?
        if let streamer { delta = { text, elapsedMs in streamer.add(text, at: elapsedMs) } }
        let outcome = await JobRunner(backend: backend).run(
            Self.inferenceRequest(job.opened.request, configuration), budgetSeconds: budget, control: job.control,
            started: {
                // After the request left: a crash before this write finds the
                // job paid and not started, and recovery runs it again.
                do {
                    // An early job stays `received` until its swap is confirmed
                    // (`confirmEarly`): a crash before that leaves it to recovery,
                    // which asks the mint and runs it again once paid.
                    if early {
                        _ = try journal.update(id) { $0.startedAt = Event.now() }
                    } else {
                        try journal.move(id, to: .running) { $0.startedAt = Event.now() }
                    }
                } catch {
                    logger.error("job not moved to running", metadata: ["job": "\(id)", "error": "\(error)"])
                }
                await statuses.publish(JobStatus(status: .running, budgetSeconds: budget), job: id, client: client)
                var metadata: Logger.Metadata = [
                    "job": "\(id)", "budget_s": "\(budget)", "admission_ms": "\(Self.ms(.now - job.arrived))",
                    "early": "\(early)",
                ]
                if let swap = job.swap { metadata["swap_ms"] = "\(Self.ms(swap))" }
                logger.info("job running", metadata: metadata)
            },
            delta: delta
        ) { elapsedMs, tokens in
            // Journaled first: after a crash, these are the seconds billed.
            _ = try? journal.update(id) { $0.elapsedMs = elapsedMs }
            control.report(elapsedMs: elapsedMs, tokens: UInt64(tokens))
            let cost = (try? Pricing.costMsat(rate: rate, elapsedMs: elapsedMs)) ?? 0
            let tps = elapsedMs > 0 ? Double(tokens) * 1000 / Double(elapsedMs) : nil
            await statuses.publish(
                JobStatus(
                    status: .running, elapsedMs: elapsedMs, costMsat: cost, tokens: tokens,
                    budgetSeconds: budget, tokensPerSecond: tps), job: id, client: client)
        }
        logger.info(
            "job generated",
            metadata: [
                "job": "\(id)", "end": "\(outcome.end)", "elapsed_ms": "\(outcome.elapsedMs)", "tokens": "\(outcome.tokens)",
            ])
        // The last chunk leaves before the result is made, so a client that
        // heard every chunk has the output before the result arrives.
        streamer?.finish()
        if let swap = job.earlySwap, await !earlyJobPaid(id, swap) { return }
        await settle(id, end: outcome.end, output: outcome.output, usage: outcome.usage, elapsedMs: outcome.elapsedMs)
    }

    /// Milliseconds with two decimals, for the log.
    static func ms(_ d: Duration) -> String {
        let (s, atto) = d.components
        return String(format: "%.2f", Double(s) * 1000 + Double(atto) / 1e15)
    }

    /// A live sender for a job whose request asked for `stream`.
    func chunkStreamer(for opened: OpenedRequest) -> ChunkStreamer? {
        guard opened.request.stream, let client = try? XOnlyPublicKey(hex: opened.client) else { return nil }
        return ChunkStreamer(job: opened.id, client: client, key: configuration.secretKey, pool: pool, logger: logger)
    }

    /// A slot is free: start the next queued job and tell the others their new place.
    func slotFreed(_ id: String) async {
        tasks[id] = nil
        live[id] = nil
        if let next = scheduler.finish(id) { start(next) }
        for (i, queued) in scheduler.queue.enumerated() {
            guard let job = live[queued], let record = try? journal.job(queued) else { continue }
            await statuses.publish(
                JobStatus(status: .queued, budgetSeconds: record.budgetSeconds, queuePosition: i + 1),
                job: queued, client: job.opened.client)
        }
        drainedIfIdle()
    }

    /// A failure code of the worker's own (PROTOCOL.md allows adding codes):
    /// the client's deadline passed while the job waited for a slot.
    static let expiredInQueue = Reason(
        code: "expired-in-queue",
        message: "the request expired while waiting in the queue; refunded in full")

    /// What the backend is asked: the client's options within the operator's
    /// token cap, and the operator's context length and keep-alive.
    static func inferenceRequest(_ request: JobRequest, _ configuration: WorkerConfiguration) -> InferenceRequest {
        let input: InferenceRequest.Input =
            switch request.input {
            case .prompt(let p): .prompt(p)
            case .messages(let m): .messages(m.map { Inference.ChatMessage(role: .init(rawValue: $0.role), content: $0.content) })
            case .blob: .prompt("")  // never run: `execute` settles such a job first
            }
        return InferenceRequest(
            model: request.model, input: input,
            options: configuration.optionLimits.applied(to: request.options),
            contextLength: configuration.contextLength, keepAliveSeconds: configuration.keepAliveSeconds)
    }
}
