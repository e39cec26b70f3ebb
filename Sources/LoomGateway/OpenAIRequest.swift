import Foundation
import LoomJSON
import LoomProtocol

/// The two OpenAI request bodies the gateway takes (`POST /v1/chat/completions`
/// and `POST /v1/completions`), read leniently: fields the gateway has no use
/// for (`user`, `logit_bias`, `tools` …) are ignored, as OpenAI-compatible
/// servers do; fields that would change the answer and cannot be honoured
/// (`n` > 1, images) are refused with a message that names them.
public struct OpenAIRequest: Sendable, Hashable {
    public enum Endpoint: String, Sendable, Hashable {
        case chat = "chat.completion"
        case completion = "text_completion"
    }

    public var endpoint: Endpoint
    public var model: String
    public var input: JobRequest.Input
    /// `max_completion_tokens`, else `max_tokens`: sent as `num_predict`, and the budget follows it.
    public var maxTokens: Int?
    /// Generation options under the names a Loom request uses (Ollama's; PROTOCOL.md, "Options").
    public var options: [String: JSONValue]
    public var stream: Bool
    /// `stream_options.include_usage`: a last chunk with `usage` and no choices.
    public var includeUsage: Bool
    /// What the client journal says sent the job: `gateway`, or a batch line's key (`loom job batch`).
    public var via = "gateway"
}

extension OpenAIRequest {
    /// Reads a body; every refusal is a `GatewayError.badRequest` naming the field.
    public static func parse(_ body: [UInt8], endpoint: Endpoint) throws(GatewayError) -> OpenAIRequest {
        let decoded: JSONValue
        do { decoded = try JSONDecoder().decode(JSONValue.self, from: Data(body)) } catch {
            throw .badRequest("the body is not JSON")
        }
        guard let json = decoded.objectValue else { throw .badRequest("the body must be a JSON object") }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .badRequest("\"model\" is required: a model that `GET /v1/models` lists")
        }
        let input: JobRequest.Input
        switch endpoint {
        case .chat: input = .messages(try messages(json["messages"]))
        case .completion: input = .prompt(try prompt(json["prompt"]))
        }
        if let n = json["n"], n != .null, n.intValue != 1 { throw .badRequest("\"n\" must be 1: one worker writes one answer") }
        var maxTokens = try positiveInt(json, "max_completion_tokens")
        if maxTokens == nil { maxTokens = try positiveInt(json, "max_tokens") }
        var options = try OptionMapping.options(from: json)
        if let maxTokens { options["num_predict"] = .int(maxTokens) }
        let stream = try flag(json, "stream")
        let includeUsage = try flag(json["stream_options"]?.objectValue ?? [:], "include_usage")
        return OpenAIRequest(
            endpoint: endpoint, model: model, input: input, maxTokens: maxTokens, options: options, stream: stream,
            includeUsage: includeUsage)
    }

    static func messages(_ value: JSONValue?) throws(GatewayError) -> [ChatMessage] {
        guard case .array(let items)? = value, !items.isEmpty else {
            throw .badRequest("\"messages\" must be a non-empty array of {role, content}")
        }
        var out: [ChatMessage] = []
        for (i, item) in items.enumerated() {
            guard let object = item.objectValue, var role = object["role"]?.stringValue else {
                throw .badRequest("messages[\(i)] must be an object with a \"role\"")
            }
            // OpenAI's newer name for the system prompt.
            if role == "developer" { role = "system" }
            guard ["system", "user", "assistant", "tool"].contains(role) else {
                throw .badRequest("messages[\(i)].role \"\(role)\" is not one of system, developer, user, assistant, tool")
            }
            out.append(ChatMessage(role: role, content: try text(object["content"], field: "messages[\(i)].content")))
        }
        return out
    }

    /// A message's content: a string, null (an assistant turn that only called tools), or text parts.
    static func text(_ value: JSONValue?, field: String) throws(GatewayError) -> String {
        switch value {
        case .string(let s)?: return s
        case .null?, nil: return ""
        case .array(let parts)?:
            var text = ""
            for part in parts {
                guard let object = part.objectValue, object["type"]?.stringValue == "text",
                    let piece = object["text"]?.stringValue
                else {
                    throw .badRequest("\(field): only text parts ({\"type\": \"text\", \"text\": …}) can be sent to a worker")
                }
                text += piece
            }
            return text
        default: throw .badRequest("\(field) must be a string or an array of text parts")
        }
    }

    static func prompt(_ value: JSONValue?) throws(GatewayError) -> String {
        switch value {
        case .string(let s)? where !s.isEmpty: return s
        case .array(let items)? where items.count == 1:
            if let s = items[0].stringValue, !s.isEmpty { return s }
        default: break
        }
        throw .badRequest("\"prompt\" must be a non-empty string (or an array holding one)")
    }

    static func positiveInt(_ json: [String: JSONValue], _ key: String) throws(GatewayError) -> Int? {
        guard let value = json[key], value != .null else { return nil }
        guard let n = value.intValue, n >= 1 else { throw .badRequest("\"\(key)\" must be a whole number of at least 1") }
        return n
    }

    static func flag(_ json: [String: JSONValue], _ key: String) throws(GatewayError) -> Bool {
        switch json[key] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        default: throw .badRequest("\"\(key)\" must be true or false")
        }
    }
}
