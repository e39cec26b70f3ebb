import LoomJSON
import Testing

@testable import LoomGateway

/// The bytes of a streamed answer, frame by frame, as OpenAI sends them.
struct SSETests {
    let chat = OpenAIAnswer(endpoint: .chat, jobID: "ab", created: 1_700_000_000, model: "m")
    let usage = OpenAIAnswer.Usage(promptTokens: 3, completionTokens: 2)

    @Test func everyFrameIsOneDataLineAndABlankLine() {
        #expect(SSE.frame(.object(["a": "b\nc"])) == "data: {\"a\":\"b\\nc\"}\n\n")
        #expect(SSE.done == "data: [DONE]\n\n")
    }

    @Test func chatStreamFromTheFinalResult() throws {
        var sse = SSEAnswer(answer: chat, includeUsage: false)
        let frames = sse.finish(finalText: "Hi there", finishReason: "stop", usage: usage)
        #expect(frames.count == 4)
        #expect(frames.allSatisfy { $0.hasPrefix("data: ") && $0.hasSuffix("\n\n") })
        let head =
            #""created":1700000000,"id":"chatcmpl-ab","model":"m","object":"chat.completion.chunk","system_fingerprint":null"#
        #expect(
            frames[0]
                == #"data: {"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"#
                + head + "}\n\n")
        #expect(
            frames[1]
                == #"data: {"choices":[{"delta":{"content":"Hi there"},"finish_reason":null,"index":0,"logprobs":null}],"#
                + head + "}\n\n")
        #expect(
            frames[2] == #"data: {"choices":[{"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"# + head + "}\n\n")
        #expect(frames[3] == "data: [DONE]\n\n")
    }

    @Test func liveDeltasThenOnlyWhatTheyMissed() throws {
        var sse = SSEAnswer(answer: chat, includeUsage: true)
        let first = sse.delta("Hel")
        #expect(first.count == 2)  // the role chunk, then the text
        let end = sse.finish(finalText: "Hello", finishReason: "length", usage: usage)
        #expect(end.count == 4)
        #expect(
            try json(String(end[0].dropFirst(6))).objectValue?["choices"] == [
                ["index": 0, "delta": ["content": "lo"], "logprobs": nil, "finish_reason": nil]
            ])
        let usageChunk = try json(String(end[2].dropFirst(6))).objectValue
        #expect(usageChunk?["choices"] == [])
        #expect(usageChunk?["usage"] == ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5])
        #expect(try json(String(end[0].dropFirst(6))).objectValue?["usage"] == .null)
        #expect(end[3] == SSE.done)
    }

    @Test func theFinishChunkCarriesTheCostWhenGiven() throws {
        var sse = SSEAnswer(answer: chat, includeUsage: false)
        _ = sse.delta("Hi")
        let loom: JSONValue = ["job": "ab", "cost_sat": 3]
        let end = sse.finish(finalText: "Hi", finishReason: "stop", usage: usage, loom: loom)
        #expect(end.count == 2)
        let finish = try json(String(end[0].dropFirst(6))).objectValue
        #expect(finish?["loom"] == loom)
        #expect(finish?["choices"]?.arrayFirst?["finish_reason"] == "stop")
    }

    @Test func completionChunksCarryText() throws {
        let answer = OpenAIAnswer(endpoint: .completion, jobID: "cd", created: 5, model: "m")
        var sse = SSEAnswer(answer: answer, includeUsage: false)
        let frames = sse.finish(finalText: "ok", finishReason: "stop", usage: usage)
        #expect(frames.count == 3)
        #expect(
            try json(String(frames[0].dropFirst(6)))
                == json(
                    #"{"id":"cmpl-cd","object":"text_completion","created":5,"model":"m","choices":[{"index":0,"text":"ok","logprobs":null,"finish_reason":null}]}"#
                ))
        #expect(try json(String(frames[1].dropFirst(6))).objectValue?["choices"]?.arrayFirst?["finish_reason"] == "stop")
    }

    @Test func remainderIsBytewiseAndRefusesDisagreement() {
        #expect(LiveTextRemainder.remainder(streamed: "", final: "abc") == "abc")
        #expect(LiveTextRemainder.remainder(streamed: "ab", final: "abc") == "c")
        #expect(LiveTextRemainder.remainder(streamed: "e", final: "e\u{301}") == "\u{301}")
        #expect(LiveTextRemainder.remainder(streamed: "x", final: "abc") == nil)
    }

    @Test func wholeAnswersLookLikeOpenAIs() throws {
        let body = chat.complete(text: "Hi", finishReason: "stop", usage: usage)
        #expect(
            body
                == (try json(
                    #"{"id":"chatcmpl-ab","object":"chat.completion","created":1700000000,"model":"m","system_fingerprint":null,"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#
                )))
        #expect(OpenAIAnswer.finishReason(completionTokens: 8, maxTokens: 8) == "length")
        #expect(OpenAIAnswer.finishReason(completionTokens: 7, maxTokens: 8) == "stop")
        #expect(OpenAIAnswer.finishReason(completionTokens: 7, maxTokens: nil) == "stop")
    }
}

extension JSONValue {
    var arrayFirst: [String: JSONValue]? {
        if case .array(let a) = self { return a.first?.objectValue }
        return nil
    }
}
