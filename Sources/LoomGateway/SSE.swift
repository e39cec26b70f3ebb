import Foundation
import LoomJSON

/// Server-sent events as OpenAI sends a stream: each chunk one `data: {json}`
/// line and a blank line, and `data: [DONE]` at the end.
public enum SSE {
    public static let done = "data: [DONE]\n\n"

    public static func frame(_ value: JSONValue) -> String { "data: " + json(value) + "\n\n" }

    /// Compact JSON on one line (an SSE `data:` field must not hold a newline; JSON escapes those in strings).
    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}

/// The frames of one streamed answer, in order: the role chunk (chat), a
/// chunk per text delta, then whatever of the final result the deltas did
/// not carry, the finish chunk, the usage chunk (`include_usage`) and
/// `[DONE]`. Pure: the server writes what it returns.
public struct SSEAnswer: Sendable {
    public let answer: OpenAIAnswer
    public let includeUsage: Bool
    /// The text sent so far, to reconcile with the final result.
    public private(set) var streamed = ""
    private var started = false

    public init(answer: OpenAIAnswer, includeUsage: Bool) {
        self.answer = answer
        self.includeUsage = includeUsage
    }

    public mutating func delta(_ text: String) -> [String] {
        var frames = start()
        guard !text.isEmpty else { return frames }
        streamed += text
        frames.append(SSE.frame(answer.textChunk(text, includeUsage: includeUsage)))
        return frames
    }

    /// The end, from the final (authoritative) result. `loom`, when given,
    /// rides on the finish chunk as an extra `"loom"` field (SDKs keep unknown
    /// fields): a stream that began before the cost was known has no cost headers.
    public mutating func finish(
        finalText: String, finishReason: String, usage: OpenAIAnswer.Usage, loom: JSONValue? = nil
    ) -> [String] {
        var frames = start()
        if let rest = LiveTextRemainder.remainder(streamed: streamed, final: finalText), !rest.isEmpty {
            frames += delta(rest)
        }
        var finish = answer.finishChunk(finishReason, includeUsage: includeUsage)
        if let loom, case .object(var fields) = finish {
            fields["loom"] = loom
            finish = .object(fields)
        }
        frames.append(SSE.frame(finish))
        if includeUsage { frames.append(SSE.frame(answer.usageChunk(usage))) }
        frames.append(SSE.done)
        return frames
    }

    /// A failure after the stream began: OpenAI's error object as a data line (SDKs raise it); no `[DONE]`.
    public func failure(_ error: GatewayError) -> [String] {
        ["data: " + SSE.json(error.body) + "\n\n"]
    }

    private mutating func start() -> [String] {
        guard !started else { return [] }
        started = true
        return answer.endpoint == .chat ? [SSE.frame(answer.roleChunk(includeUsage: includeUsage))] : []
    }
}
