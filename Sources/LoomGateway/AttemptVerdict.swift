import LoomClient
import LoomProtocol

/// What one attempt at one worker means for the call. Pure: from the job's outcome.
public enum AttemptVerdict: Sendable, Hashable {
    /// The worker answered; the call is done.
    case answered(String)
    /// Nothing was taken (or it came back): another worker may answer.
    case tryNext(String)
    /// The call ends here with this error.
    case failed(GatewayError)

    /// Rejections that say nothing about the call, only about this worker now.
    public static let retryableCodes: Set<String> = ["worker-busy", "not-accepting", "unknown-model", "mint-unavailable"]
    /// Rejections that are the caller's to fix: the request as written will not do anywhere.
    public static let callerCodes: Set<String> = ["bad-schema", "too-short"]
    /// Failures of a job the worker took and then gave back before serving
    /// it (its serving policy turned off, it shut down, the mint was late):
    /// refunded, so another worker may answer without the call paying twice.
    public static let refundedCodes: Set<String> = [
        "not-serving", "not-accepting", "worker-shutdown", "worker-restarted", "payment-late", "expired-in-queue",
    ]

    public static func judge(_ outcome: JobOutcome, statusTimeoutSeconds: Int) -> AttemptVerdict {
        let reason = outcome.error.map { "\($0.code): \($0.message)" } ?? "no reason given"
        switch outcome.status {
        case .completed:
            guard let text = outcome.output else {
                let why = outcome.warnings.first ?? "no text output"
                return .failed(.workerFailed("job \(outcome.jobID) completed but its output could not be read: \(why)"))
            }
            return .answered(text)
        case .rejected:
            let code = outcome.error?.code ?? ""
            if retryableCodes.contains(code) { return .tryNext("worker \(outcome.worker) refused: \(reason)") }
            if callerCodes.contains(code) { return .failed(.badRequest("the worker refused the request: \(reason)")) }
            return .failed(.workerFailed("worker \(outcome.worker) refused job \(outcome.jobID): \(reason)"))
        case .timeout where outcome.findings.contains(.keptPayment):
            return .failed(
                .workerFailed(
                    "worker \(outcome.worker) took the payment and gave no result (kept-payment, job \(outcome.jobID)): no call goes to it again until `loom workers --forgive`"
                ))
        case .timeout where outcome.lastProgress == nil && outcome.reclaimedSat != nil:
            return .tryNext("worker \(outcome.worker) said nothing within \(statusTimeoutSeconds) s (payment reclaimed)")
        case .timeout where outcome.lastProgress == nil:
            // The reclaim failed: the worker took the token, or the mint could not say. Paying
            // another worker could pay twice, so the call ends with the first one's job journaled.
            return .failed(
                .workerFailed(
                    "worker \(outcome.worker) took the payment for job \(outcome.jobID) and said nothing before the call's deadline (or the mint could not confirm the payment is still ours); the job is in the client journal: `loom job watch \(outcome.jobID)` settles it"
                ))
        case .timeout:
            return .failed(
                .workerFailed(
                    "job \(outcome.jobID) had no result before the call's deadline; the worker holds the payment and the job is in the client journal: `loom job watch \(outcome.jobID)` settles it"
                ))
        case .failed, .cancelled:
            if let code = outcome.error?.code, refundedCodes.contains(code) || outcome.bill?.billedMs == 0,
                !outcome.findings.contains(where: \.isMisconduct)
            {
                return .tryNext("worker \(outcome.worker) gave job \(outcome.jobID) back unserved: \(reason)")
            }
            return .failed(
                .workerFailed("job \(outcome.jobID) \(outcome.status.rawValue): \(reason) (billed for the time served only)"))
        }
    }
}
