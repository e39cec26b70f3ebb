import Foundation
import LoomJSON

/// Ollama's native API bodies (docs/api.md in ollama/ollama).
enum OllamaWire {
    struct ChatBody: Encodable {
        var model: String
        var messages: [ChatMessage]
        var stream: Bool
        var options: [String: JSONValue]?
        var keepAlive: Int?

        enum CodingKeys: String, CodingKey {
            case model, messages, stream, options
            case keepAlive = "keep_alive"
        }
    }

    struct GenerateBody: Encodable {
        var model: String
        var prompt: String
        var stream: Bool
        var options: [String: JSONValue]?
        var keepAlive: Int?

        enum CodingKeys: String, CodingKey {
            case model, prompt, stream, options
            case keepAlive = "keep_alive"
        }
    }

    /// The sampling options passed on from a request. Everything else in
    /// Ollama's `options` (num_ctx, num_gpu, num_thread, use_mlock, …) is
    /// about the server's memory and threads and is never taken from a
    /// request: a different `num_ctx` alone makes Ollama reload the model.
    static let samplingOptions: Set<String> = [
        "temperature", "top_p", "top_k", "min_p", "seed", "num_predict", "stop",
        "repeat_penalty", "presence_penalty", "frequency_penalty",
    ]

    /// The `options` object of a request: its sampling options, and the
    /// operator's context length as `num_ctx`. nil when empty.
    static func options(for request: InferenceRequest) -> [String: JSONValue]? {
        var options = request.options.filter { samplingOptions.contains($0.key) }
        if let context = request.contextLength { options["num_ctx"] = .int(context) }
        return options.isEmpty ? nil : options
    }

    /// One line of a /api/chat or /api/generate stream. Chat carries text in
    /// `message.content`, generate in `response`; the last line has
    /// `done: true` and the counters; any line may instead be `{"error": …}`.
    struct Chunk: Decodable {
        struct Message: Decodable {
            var content: String?
        }

        var error: String?
        var message: Message?
        var response: String?
        var done: Bool?
        var doneReason: String?
        var promptEvalCount: Int?
        var evalCount: Int?
        var evalDuration: Int64?
        var totalDuration: Int64?

        enum CodingKeys: String, CodingKey {
            case error, message, response, done
            case doneReason = "done_reason"
            case promptEvalCount = "prompt_eval_count"
            case evalCount = "eval_count"
            case evalDuration = "eval_duration"
            case totalDuration = "total_duration"
        }

        static func decode(_ line: String) throws(InferenceError) -> Chunk {
            do {
                return try JSONDecoder().decode(Chunk.self, from: Data(line.utf8))
            } catch {
                throw .malformedStream("not an Ollama stream object: \(line.prefix(120))")
            }
        }

        /// Durations are nanoseconds; tokens per second is eval_count over
        /// eval_duration, as the API documents it.
        func usage(counted meter: TokenMeter) -> Usage {
            let completion = evalCount ?? meter.count
            var rate = meter.tokensPerSecond
            if let evalDuration, evalDuration > 0, let evalCount {
                rate = Double(evalCount) / Double(evalDuration) * 1e9
            }
            return Usage(
                promptTokens: promptEvalCount ?? 0,
                completionTokens: completion,
                totalDuration: totalDuration.map { .nanoseconds($0) },
                evalDuration: evalDuration.map { .nanoseconds($0) },
                tokensPerSecond: completion > 0 ? rate : nil,
                stopReason: doneReason,
                estimated: evalCount == nil)
        }
    }

    /// `/api/tags`, and `/api/ps` (the same list shape: name, size, details).
    struct Tags: Decodable {
        struct Model: Decodable {
            struct Details: Decodable {
                var family: String?
                var parameterSize: String?
                var quantizationLevel: String?

                enum CodingKeys: String, CodingKey {
                    case family
                    case parameterSize = "parameter_size"
                    case quantizationLevel = "quantization_level"
                }
            }

            var name: String
            var size: Int64?
            var details: Details?
        }

        var models: [Model]
    }

    struct Version: Decodable {
        var version: String
    }
}
