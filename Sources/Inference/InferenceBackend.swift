/// Something that runs models: Ollama, an OpenAI-compatible server, or
/// whatever comes next. A backend is a value that can be shared between jobs.
public protocol InferenceBackend: Sendable {
    /// The models the backend can run right now.
    func models() async throws -> [ModelInfo]

    /// Start a generation. The request goes out at once rather than on first
    /// iteration, so a slow consumer does not delay the backend. Failures
    /// arrive as `InferenceError` from the iterator.
    func run(_ request: InferenceRequest) -> InferenceStream

    /// The models loaded in memory now, which answer without a load first;
    /// nil when the backend cannot tell.
    func loadedModels() async throws -> [String]?
}

extension InferenceBackend {
    public func loadedModels() async throws -> [String]? { nil }
}
