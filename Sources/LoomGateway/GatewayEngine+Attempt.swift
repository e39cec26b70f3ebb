import Cashu
import CashuWallet
import LoomClient
import LoomProtocol

extension GatewayEngine {
    /// One worker tried: what it meant, the outcome when there was a job, and
    /// the sats it took from the wallet (payment and fees, less what came back).
    struct Attempt: Sendable {
        var verdict: AttemptVerdict
        var outcome: JobOutcome?
        var spent: Int64
        /// The job, when one was paid for (also when it could not be followed).
        var jobID: String? = nil
        /// Where the time before the request left went, and when (since the
        /// call began) the first live text came.
        var spans: SubmitSpans? = nil
        var firstText: Duration? = nil
        var lastText: Duration? = nil
    }

    func attempt(
        _ request: OpenAIRequest, at candidate: Candidate, started: ContinuousClock.Instant,
        onDelta: @escaping @Sendable (CallDelta) async -> Void
    ) async -> Attempt {
        let offer = candidate.offer
        let job: SubmittedJob
        var streamed: StreamingJob?
        do {
            var order = JobOrder(
                model: request.model, input: request.input, options: request.options, seconds: candidate.budget.seconds,
                lockChange: true)
            order.via = request.via
            // The planned payment is the most this attempt may take; the client refuses more.
            order.maxSat = candidate.budget.amount
            if request.stream {
                // Subscribed to the chunks before the request leaves: relays keep no ephemeral events.
                streamed = try await client.submitStreaming(
                    order, to: offer, paying: .wallet(), timeout: .seconds(configuration.callTimeoutSeconds),
                    statusTimeout: .seconds(configuration.statusTimeoutSeconds))
                job = streamed!.job
            } else {
                job = try await client.submit(order, to: offer, paying: .wallet())
            }
        } catch let error as GatewayError {
            return Attempt(verdict: .failed(error), outcome: nil, spent: 0)
        } catch ClientError.insufficientFunds(let needed, let available) {
            return Attempt(
                verdict: .failed(
                    .insufficientFunds(
                        "the gateway's wallet holds \(available) sat and this call needs \(needed) sat (mint fees included); fund it with `loom wallet mint`"
                    )), outcome: nil, spent: 0)
        } catch ClientError.workerMismatch(let why) {
            return Attempt(verdict: .tryNext(why), outcome: nil, spent: 0)
        } catch {
            return Attempt(verdict: .failed(.workerFailed("the call could not be sent: \(error)")), outcome: nil, spent: 0)
        }
        logger.debug("call sent", metadata: ["job": "\(job.jobID)", "worker": "\(job.worker)", "paid_sat": "\(job.paidSat)"])
        let paid = Int64(job.paidSat.value + job.paymentFee.value)
        let outcome: JobOutcome
        var firstText: Duration?, lastText: Duration?
        do {
            if let streamed {
                let first = FirstText()
                outcome = try await follow(streamed) { delta in
                    await first.mark(.now - started)
                    await onDelta(delta)
                }
                (firstText, lastText) = await (first.at, first.last)
            } else {
                outcome = try await client.follow(
                    jobID: job.jobID, worker: job.worker, timeout: .seconds(configuration.callTimeoutSeconds),
                    statusTimeout: .seconds(configuration.statusTimeoutSeconds))
            }
        } catch {
            // The journal holds the job and its money: `loom job watch` finishes what this could not.
            return Attempt(
                verdict: .failed(
                    .workerFailed("job \(job.jobID) could not be followed: \(error); `loom job watch \(job.jobID)` settles it")),
                outcome: nil, spent: paid, jobID: job.jobID, spans: job.spans)
        }
        let back = Int64((outcome.changeRedeemedSat?.value ?? 0) + (outcome.reclaimedSat?.value ?? 0))
        let verdict = AttemptVerdict.judge(outcome, statusTimeoutSeconds: configuration.statusTimeoutSeconds)
        return Attempt(
            verdict: verdict, outcome: outcome, spent: paid - back, spans: job.spans, firstText: firstText,
            lastText: lastText)
    }

    /// Follows a streamed job to its settled end, forwarding its chunks'
    /// text as it comes up to the first gap; after a gap the text is only in
    /// the result, and the server sends what the deltas missed from there
    /// (`LiveTextRemainder`).
    func follow(_ streamed: StreamingJob, onDelta: @escaping @Sendable (CallDelta) async -> Void) async throws -> JobOutcome {
        var gap = false
        for try await event in streamed.events {
            switch event {
            case .chunk(let chunk) where !gap:
                await onDelta(CallDelta(jobID: streamed.job.jobID, worker: streamed.job.worker, text: chunk.text))
            case .gap:
                gap = true
            case .result(let end):
                return end.outcome
            case .chunk, .status:
                continue
            }
        }
        throw CancellationError()
    }
}

/// When the first and the last live text of a call came.
actor FirstText {
    private(set) var at: Duration?
    private(set) var last: Duration?
    func mark(_ elapsed: Duration) {
        if at == nil { at = elapsed }
        last = elapsed
    }
}
