import LoomJSON

/// OpenAI's sampling fields under the names a Loom request uses (Ollama's,
/// PROTOCOL.md "Options"). Values pass as they are: the worker checks types
/// and ranges and refuses with `bad-schema`, which the gateway answers 400.
enum OptionMapping {
    /// OpenAI name → Loom option name.
    static let renamed: [String: String] = [
        "temperature": "temperature",
        "top_p": "top_p",
        "seed": "seed",
        "presence_penalty": "presence_penalty",
        "frequency_penalty": "frequency_penalty",
        // Not OpenAI's, but llama.cpp's and vLLM's servers take them and so do clients written for those.
        "top_k": "top_k",
        "min_p": "min_p",
        "repeat_penalty": "repeat_penalty",
    ]

    static func options(from json: [String: JSONValue]) throws(GatewayError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (openAI, loom) in renamed {
            if let value = json[openAI], value != .null { out[loom] = value }
        }
        switch json["stop"] {
        case nil, .null?: break
        case .string(let s)?: out["stop"] = .array([.string(s)])
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): out["stop"] = .array(items)
        default: throw .badRequest("\"stop\" must be a string or an array of strings")
        }
        return out
    }
}
