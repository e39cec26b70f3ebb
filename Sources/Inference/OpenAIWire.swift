import Foundation
import LoomJSON

/// Bodies of the OpenAI-compatible API as llama.cpp's server, vLLM, LM
/// Studio and Ollama's `/v1` serve it.
enum OpenAIWire {
    struct Models: Decodable {
        struct Model: Decodable {
            /// llama.cpp adds facts about the loaded file here.
            struct Meta: Decodable {
                var size: Int64?
            }

            var id: String
            var meta: Meta?
        }

        var data: [Model]
    }

    /// One `data:` event of a streamed chat completion.
    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                var content: String?
            }

            var delta: Delta?
            var finishReason: String?

            enum CodingKeys: String, CodingKey {
                case delta
                case finishReason = "finish_reason"
            }
        }

        struct Usage: Decodable {
            var promptTokens: Int?
            var completionTokens: Int?

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }

        /// llama.cpp's own counters, sent whether or not usage was asked for.
        struct Timings: Decodable {
            var promptN: Int?
            var predictedN: Int?
            var predictedMs: Double?
            var predictedPerSecond: Double?

            enum CodingKeys: String, CodingKey {
                case promptN = "prompt_n"
                case predictedN = "predicted_n"
                case predictedMs = "predicted_ms"
                case predictedPerSecond = "predicted_per_second"
            }
        }

        var choices: [Choice]?
        var usage: Usage?
        var timings: Timings?
        var error: JSONValue?
        var object: String?
        var message: String?

        /// `{"error": {"message": …}}`, `{"error": "…"}`, or vLLM's older
        /// `{"object": "error", "message": …}`.
        var errorMessage: String? {
            if let error {
                return error.stringValue ?? error["message"]?.stringValue ?? "unspecified error"
            }
            return object == "error" ? (message ?? "unspecified error") : nil
        }

        static func decode(_ data: String) throws(InferenceError) -> Chunk {
            do {
                return try JSONDecoder().decode(Chunk.self, from: Data(data.utf8))
            } catch {
                throw .malformedStream("not a chat completion chunk: \(data.prefix(120))")
            }
        }
    }

    /// The request fields each sampling option (Ollama's name) becomes in
    /// this dialect. `top_k`, `min_p`, `repeat_penalty` and `ignore_eos` are
    /// extensions llama.cpp's server and vLLM read. Nothing else passes: not
    /// Ollama's runtime options (an OpenAI-compatible server fixes context
    /// and memory at start) and not request fields a client could use
    /// against the server or other clients (`n`, `id_slot`, `cache_prompt`, …).
    static let fieldNames: [String: String] = [
        "temperature": "temperature", "top_p": "top_p", "seed": "seed", "stop": "stop",
        "num_predict": "max_tokens", "presence_penalty": "presence_penalty",
        "frequency_penalty": "frequency_penalty", "top_k": "top_k", "min_p": "min_p",
        "repeat_penalty": "repeat_penalty", "ignore_eos": "ignore_eos",
    ]

    /// Request fields from Ollama-style options, renamed; unknown ones dropped.
    static func fields(from options: [String: JSONValue]) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for (name, value) in options {
            guard let field = fieldNames[name] else { continue }
            // Ollama's -1 (no limit) and -2 (fill the context) have no equivalent.
            if name == "num_predict", let n = value.intValue, n < 0 { continue }
            fields[field] = value
        }
        return fields
    }
}
