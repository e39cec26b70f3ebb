/// Why a paid job ended without completing. Every case is the worker's side
/// of the bargain failing, so the bill charges only the seconds served
/// (`Pricing.Cause.workerFault`) and the rest is returned as change.
public enum JobFailure: String, Error, Sendable, CaseIterable, CustomStringConvertible {
    case backendUnavailable = "backend-unavailable"
    case modelMissing = "model-missing"
    case outOfMemory = "out-of-memory"
    case backendError = "backend-error"
    case workerShutdown = "worker-shutdown"
    case workerRestarted = "worker-restarted"
    case internalError = "internal-error"

    public var code: String { rawValue }

    public var message: String {
        switch self {
        case .backendUnavailable: "the inference backend could not be reached"
        case .modelMissing: "the model is no longer available on this worker"
        case .outOfMemory: "the backend ran out of memory loading or running the model"
        case .backendError: "the inference backend reported an error"
        case .workerShutdown: "the worker shut down before the job finished"
        case .workerRestarted: "the worker restarted during the job"
        case .internalError: "the worker hit an internal error"
        }
    }

    public var description: String { "\(code): \(message)" }
    public var reason: Reason { Reason(code: code, message: message) }
}
