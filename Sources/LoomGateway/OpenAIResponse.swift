import LoomJSON

/// The answers, shaped as OpenAI's: `chat.completion`, `text_completion`,
/// and their streamed chunks. Built as JSON values so that every key OpenAI
/// always sends is there, `null` included (`logprobs`, `finish_reason` …).
public struct OpenAIAnswer: Sendable, Hashable {
    public var endpoint: OpenAIRequest.Endpoint
    /// `chatcmpl-…` or `cmpl-…`, from the job id: the same call has the same id everywhere.
    public var id: String
    public var created: Int64
    public var model: String

    public init(endpoint: OpenAIRequest.Endpoint, jobID: String, created: Int64, model: String) {
        self.endpoint = endpoint
        id = (endpoint == .chat ? "chatcmpl-" : "cmpl-") + jobID
        self.created = created
        self.model = model
    }

    public struct Usage: Sendable, Hashable {
        public var promptTokens: UInt64
        public var completionTokens: UInt64
        public init(promptTokens: UInt64, completionTokens: UInt64) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
        }

        var json: JSONValue {
            .object([
                // Clamped: the counts come from the worker (bounded when decoded, and never trusted to be).
                "prompt_tokens": .int(Int(clamping: promptTokens)), "completion_tokens": .int(Int(clamping: completionTokens)),
                "total_tokens": .int(Int(clamping: promptTokens.addingReportingOverflow(completionTokens).partialValue)),
            ])
        }
    }

    /// `length` when the answer stopped at `max_tokens`, else `stop`.
    public static func finishReason(completionTokens: UInt64, maxTokens: Int?) -> String {
        if let maxTokens, completionTokens >= UInt64(maxTokens) { return "length" }
        return "stop"
    }

    /// The whole answer (`stream` false).
    public func complete(text: String, finishReason: String, usage: Usage) -> JSONValue {
        let choice: JSONValue
        switch endpoint {
        case .chat:
            choice = .object([
                "index": 0, "message": .object(["role": "assistant", "content": .string(text), "refusal": nil]),
                "logprobs": nil, "finish_reason": .string(finishReason),
            ])
        case .completion:
            choice = .object(["index": 0, "text": .string(text), "logprobs": nil, "finish_reason": .string(finishReason)])
        }
        var object = header(object: endpoint.rawValue)
        object["choices"] = .array([choice])
        object["usage"] = usage.json
        return .object(object)
    }

    /// The first chunk of a chat stream: the role, no text yet (OpenAI sends it so).
    public func roleChunk(includeUsage: Bool) -> JSONValue {
        chunk(delta: .object(["role": "assistant", "content": ""]), finishReason: nil, includeUsage: includeUsage)
    }

    /// A chunk carrying `text`.
    public func textChunk(_ text: String, includeUsage: Bool) -> JSONValue {
        switch endpoint {
        case .chat: chunk(delta: .object(["content": .string(text)]), finishReason: nil, includeUsage: includeUsage)
        case .completion: chunk(delta: .string(text), finishReason: nil, includeUsage: includeUsage)
        }
    }

    /// The chunk that ends the choice: no text, a `finish_reason`.
    public func finishChunk(_ reason: String, includeUsage: Bool) -> JSONValue {
        switch endpoint {
        case .chat: chunk(delta: .object([:]), finishReason: reason, includeUsage: includeUsage)
        case .completion: chunk(delta: .string(""), finishReason: reason, includeUsage: includeUsage)
        }
    }

    /// The last chunk with `stream_options.include_usage`: no choices, the usage.
    public func usageChunk(_ usage: Usage) -> JSONValue {
        var object = header(object: chunkObject)
        object["choices"] = .array([])
        object["usage"] = usage.json
        return .object(object)
    }

    var chunkObject: String { endpoint == .chat ? "chat.completion.chunk" : "text_completion" }

    func chunk(delta: JSONValue, finishReason: String?, includeUsage: Bool) -> JSONValue {
        let choice: JSONValue
        let reason: JSONValue = finishReason.map { .string($0) } ?? .null
        switch endpoint {
        case .chat: choice = .object(["index": 0, "delta": delta, "logprobs": nil, "finish_reason": reason])
        case .completion: choice = .object(["index": 0, "text": delta, "logprobs": nil, "finish_reason": reason])
        }
        var object = header(object: chunkObject)
        object["choices"] = .array([choice])
        // With include_usage, every chunk but the last says `"usage": null`.
        if includeUsage { object["usage"] = .null }
        return .object(object)
    }

    func header(object: String) -> [String: JSONValue] {
        var h: [String: JSONValue] = [
            "id": .string(id), "object": .string(object), "created": .int(Int(clamping: created)), "model": .string(model),
        ]
        if endpoint == .chat { h["system_fingerprint"] = .null }
        return h
    }
}
