import LoomClient

extension GatewayEngine {
    /// The journaled job an earlier run paid for this `via` (a batch line),
    /// worth following again: one that completed or may still be running.
    /// Rejected ones and reclaimed ones hold nothing: the line is paid anew.
    public func journaledJob(via: String) -> JournaledJob? {
        client.journal.all().filter { $0.via == via }.last { $0.lastState == "completed" || $0.stage == .submitted }
    }

    /// Finishes a job an earlier run paid for: follows it to its result
    /// (at once when it is on the relays already; no money moves for a job
    /// the journal has settled) and downloads the output. Nil when it got no
    /// answer and holds nothing, so the call may be paid anew.
    public func resume(_ job: JournaledJob, request: OpenAIRequest) async throws(GatewayError) -> CallResult? {
        await dispatch.enter()
        let outcome: JobOutcome
        do {
            outcome = try await client.follow(
                jobID: job.jobID, worker: job.worker, timeout: .seconds(configuration.callTimeoutSeconds),
                statusTimeout: .seconds(configuration.statusTimeoutSeconds))
        } catch {
            await dispatch.leave()
            throw .workerFailed("job \(job.jobID) could not be followed: \(error)")
        }
        await dispatch.leave()
        switch AttemptVerdict.judge(outcome, statusTimeoutSeconds: configuration.statusTimeoutSeconds) {
        case .answered(let text):
            let usage = OpenAIAnswer.Usage(
                promptTokens: outcome.usage?.promptTokens ?? 0, completionTokens: outcome.usage?.completionTokens ?? 0)
            // Paid by the earlier run: what it cost is in that run's spending, not this one's.
            return CallResult(
                jobID: job.jobID, worker: job.worker, text: text, usage: usage,
                finishReason: OpenAIAnswer.finishReason(completionTokens: usage.completionTokens, maxTokens: request.maxTokens),
                costSat: 0, chargedSat: outcome.bill?.chargedSat.value ?? 0, attempts: 1)
        case .tryNext: return nil
        case .failed(let error): throw error
        }
    }
}
