import LoomClient
import LoomProtocol

/// What one attempt at one worker means for the call. Pure: from the job's outcome.
public enum AttemptVerdict: Sendable, Hashable {
    /// The worker answered; the call is done.
    case answered(String)
    /// Nothing was taken (or it was reclaimed): another worker may answer.
    case tryNext(String)
    /// The call ends here with this error.
    case failed(GatewayError)

    /// Rejections that say nothing about the call, only about this worker now.
    public static let retryableCodes: Set<String> = ["worker-busy", "not-accepting", "unknown-model", "mint-unavailable"]
    /// Rejections that are the caller's to fix: the request as written will not do anywhere.
    public static let callerCodes: Set<String> = ["bad-schema", "too-short"]

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
        case .timeout where outcome.lastProgress == nil:
            return .tryNext("worker \(outcome.worker) said nothing within \(statusTimeoutSeconds) s")
        case .timeout:
            return .failed(
                .workerFailed(
                    "job \(outcome.jobID) had no result before the call's deadline; the worker holds the payment and the job is in the client journal: `loom job watch \(outcome.jobID)` settles it"
                ))
        case .failed, .cancelled:
            return .failed(
                .workerFailed("job \(outcome.jobID) \(outcome.status.rawValue): \(reason) (billed for the time served only)"))
        }
    }
}
