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
    }

    func attempt(
        _ request: OpenAIRequest, at offer: WorkerOffer, onDelta: @escaping @Sendable (CallDelta) async -> Void
    ) async -> Attempt {
        let job: SubmittedJob
        do {
            let ppk = try await client.inputFeePpk(wallet)
            let budget = try CallBudget.plan(
                maxTokens: request.maxTokens, rate: offer.advertisement.pricing, inputFeePpk: ppk,
                maxSeconds: configuration.maxSecondsPerCall, capSat: configuration.maxSatPerCall)
            var order = JobOrder(
                model: request.model, input: request.input, options: request.options, seconds: budget.seconds,
                lockChange: true)
            order.via = request.via
            job = try await client.submit(order, to: offer, paying: .wallet())
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
        do { outcome = try await follow(job, onDelta: onDelta) } catch {
            // The journal holds the job and its money: `loom job watch` finishes what this could not.
            return Attempt(
                verdict: .failed(
                    .workerFailed("job \(job.jobID) could not be followed: \(error); `loom job watch \(job.jobID)` settles it")),
                outcome: nil, spent: paid)
        }
        let back = Int64((outcome.changeRedeemedSat?.value ?? 0) + (outcome.reclaimedSat?.value ?? 0))
        let verdict = AttemptVerdict.judge(outcome, statusTimeoutSeconds: configuration.statusTimeoutSeconds)
        return Attempt(verdict: verdict, outcome: outcome, spent: paid - back)
    }

    /// Follows the job to its settled end while forwarding its live text.
    /// The live text stops at the result, which is authoritative.
    func follow(_ job: SubmittedJob, onDelta: @escaping @Sendable (CallDelta) async -> Void) async throws -> JobOutcome {
        let client = self.client, live = self.live, configuration = self.configuration
        return try await withThrowingTaskGroup(of: JobOutcome?.self) { group in
            group.addTask {
                for await text in live.deltas(jobID: job.jobID, worker: job.worker, client: client) {
                    await onDelta(CallDelta(jobID: job.jobID, worker: job.worker, text: text))
                }
                return nil
            }
            group.addTask {
                try await client.follow(
                    jobID: job.jobID, worker: job.worker, timeout: .seconds(configuration.callTimeoutSeconds),
                    statusTimeout: .seconds(configuration.statusTimeoutSeconds))
            }
            var outcome: JobOutcome?
            for try await finished in group {
                guard let finished else { continue }
                outcome = finished
                group.cancelAll()
            }
            guard let outcome else { throw CancellationError() }
            return outcome
        }
    }
}
