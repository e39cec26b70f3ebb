import LoomJSON

/// A model a backend can run, as listed by the backend itself.
public struct ModelInfo: Sendable, Hashable {
    public var name: String
    /// Size on disk in bytes, when the backend says.
    public var sizeBytes: Int64?
    /// Architecture family (`llama`, `qwen2`, …), when the backend says.
    public var family: String?
    /// Human-readable parameter count (`3.2B`), when the backend says.
    public var parameterSize: String?
    /// Quantization level (`Q4_K_M`), when the backend says.
    public var quantization: String?

    public init(
        name: String, sizeBytes: Int64? = nil, family: String? = nil,
        parameterSize: String? = nil, quantization: String? = nil
    ) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.family = family
        self.parameterSize = parameterSize
        self.quantization = quantization
    }
}

public struct ChatMessage: Sendable, Hashable, Codable {
    /// Open-ended on purpose: backends add roles (`tool`) over time, and a
    /// role we do not know is the backend's to refuse, not ours.
    public struct Role: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }

        public static let system: Role = "system"
        public static let user: Role = "user"
        public static let assistant: Role = "assistant"
        public static let tool: Role = "tool"
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// One inference job as a backend sees it.
public struct InferenceRequest: Sendable, Hashable {
    public enum Input: Sendable, Hashable {
        case messages([ChatMessage])
        case prompt(String)
    }

    public var model: String
    public var input: Input
    /// Sampling options under Ollama's names (`temperature`, `num_predict`,
    /// `seed`, `top_p`, `stop`, …). Each backend sends only the ones it
    /// knows as sampling options (`OllamaWire.samplingOptions`,
    /// `OpenAIWire.fieldNames`), translated to its dialect; anything else is
    /// dropped, so a request cannot reach the server's own settings.
    public var options: [String: JSONValue]
    /// The operator's settings, never a client's: the context window
    /// (Ollama `num_ctx`; an OpenAI-compatible server fixes it at start) and
    /// how long Ollama keeps the model loaded afterwards, in seconds
    /// (`keep_alive`; negative = for ever, 0 = unload at once). nil = the
    /// server's default.
    public var contextLength: Int?
    public var keepAliveSeconds: Int?

    public init(model: String, messages: [ChatMessage], options: [String: JSONValue] = [:]) {
        self.init(model: model, input: .messages(messages), options: options)
    }

    public init(model: String, prompt: String, options: [String: JSONValue] = [:]) {
        self.init(model: model, input: .prompt(prompt), options: options)
    }

    public init(
        model: String, input: Input, options: [String: JSONValue] = [:],
        contextLength: Int? = nil, keepAliveSeconds: Int? = nil
    ) {
        self.model = model
        self.input = input
        self.options = options
        self.contextLength = contextLength
        self.keepAliveSeconds = keepAliveSeconds
    }
}

extension InferenceRequest: CustomStringConvertible {
    /// Sizes only: prompts are the client's private data and must not reach
    /// logs by way of string interpolation.
    public var description: String {
        switch input {
        case .messages(let m):
            return "InferenceRequest(model: \(model), messages: \(m.count), chars: \(m.reduce(0) { $0 + $1.content.count }))"
        case .prompt(let p):
            return "InferenceRequest(model: \(model), prompt chars: \(p.count))"
        }
    }
}

/// What a finished generation cost, as the backend reported it or, failing
/// that, as we counted it.
public struct Usage: Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Whole request, model load included (Ollama's `total_duration`).
    public var totalDuration: Duration?
    /// Time spent generating the completion tokens (Ollama's `eval_duration`).
    public var evalDuration: Duration?
    /// Completion tokens per second of generation, nil if nothing was generated.
    public var tokensPerSecond: Double?
    /// Why generation stopped: `stop`, `length`, … as the backend says.
    public var stopReason: String?
    /// True when the backend reported no counts and these were counted here
    /// (one streamed delta taken as one token; prompt tokens then unknown, 0).
    public var estimated: Bool

    public init(
        promptTokens: Int, completionTokens: Int, totalDuration: Duration? = nil,
        evalDuration: Duration? = nil, tokensPerSecond: Double? = nil,
        stopReason: String? = nil, estimated: Bool = false
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalDuration = totalDuration
        self.evalDuration = evalDuration
        self.tokensPerSecond = tokensPerSecond
        self.stopReason = stopReason
        self.estimated = estimated
    }
}

public enum InferenceEvent: Sendable, Hashable {
    /// A piece of generated text, to be appended to what came before.
    case token(String)
    /// The generation finished normally; always the last event.
    case done(Usage)
}
