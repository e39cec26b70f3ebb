/// Why a backend could not serve a request. The worker decides from the case
/// whether a job failed by the worker's fault (refund) and what status to
/// publish, so each case means one thing.
public enum InferenceError: Error, Sendable, Hashable {
    /// No HTTP response: connection refused, DNS, TLS, or no response head in time.
    case backendUnreachable(String)
    /// The backend does not have the model (Ollama: "model 'x' not found").
    case modelNotFound(String)
    /// The model does not fit in memory, at load or while running.
    case outOfMemory(String)
    /// Any other error the backend reported; `status` is the HTTP status of
    /// the response that carried it (200 for an error line inside a stream).
    case backendError(status: Int, message: String)
    /// The response broke the protocol: bad JSON, truncated stream, no final object.
    case malformedStream(String)
}

extension InferenceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .backendUnreachable(let m): return "backend unreachable: \(m)"
        case .modelNotFound(let m): return "model not found: \(m)"
        case .outOfMemory(let m): return "out of memory: \(m)"
        case .backendError(let status, let m): return "backend error (HTTP \(status)): \(m)"
        case .malformedStream(let m): return "malformed stream: \(m)"
        }
    }
}

extension InferenceError {
    /// Sort an error message from a backend into a case. Backends report
    /// memory exhaustion with status 500 and a free-text message whose wording
    /// depends on the GPU runtime, so the text decides before the status does.
    static func classify(status: Int, message: String) -> InferenceError {
        let text = message.lowercased()
        if memoryMarkers.contains(where: { text.contains($0) }) {
            return .outOfMemory(message)
        }
        let mentionsModel = text.contains("model")
        if mentionsModel && (text.contains("not found") || text.contains("does not exist")) {
            return .modelNotFound(message)
        }
        if status == 404 && mentionsModel {
            return .modelNotFound(message)
        }
        return .backendError(status: status, message: message)
    }

    /// Phrases seen from Ollama's scheduler, llama.cpp, CUDA, ROCm, Metal and Vulkan.
    private static let memoryMarkers = [
        "out of memory", "requires more system memory", "not enough memory", "insufficient memory",
        "out of device memory", "failed to allocate", "cudamalloc failed", "hipmalloc failed",
        "erroroutofmemory", "vk_error_out_of_device_memory",
    ]
}
