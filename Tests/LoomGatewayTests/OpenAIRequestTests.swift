import LoomJSON
import LoomProtocol
import Testing

@testable import LoomGateway

/// What the gateway reads from OpenAI request bodies, and what it refuses.
struct OpenAIRequestTests {
    @Test func chatBodyBecomesMessagesAndLoomOptions() throws {
        let body = """
            {"model": "m", "messages": [{"role": "developer", "content": "be brief"},
             {"role": "user", "content": [{"type": "text", "text": "hel"}, {"type": "text", "text": "lo"}]},
             {"role": "assistant", "content": null}],
             "max_tokens": 32, "temperature": 0.5, "stop": "END", "seed": 7, "user": "ignored",
             "stream": true, "stream_options": {"include_usage": true}}
            """
        let call = try OpenAIRequest.parse(bytes(body), endpoint: .chat)
        #expect(
            call.input
                == .messages([
                    ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "hello"),
                    ChatMessage(role: "assistant", content: ""),
                ]))
        #expect(call.maxTokens == 32)
        #expect(call.options == ["num_predict": 32, "temperature": 0.5, "stop": ["END"], "seed": 7])
        #expect(call.stream && call.includeUsage)
    }

    @Test func maxCompletionTokensWinsOverMaxTokens() throws {
        let call = try OpenAIRequest.parse(
            bytes(#"{"model":"m","prompt":["say hi"],"max_tokens":9,"max_completion_tokens":4}"#), endpoint: .completion)
        #expect(call.input == .prompt("say hi"))
        #expect(call.maxTokens == 4 && call.options["num_predict"] == 4)
        #expect(!call.stream && !call.includeUsage)
    }

    @Test(arguments: [
        (#"[1]"#, "JSON object"),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "\"model\" is required"),
        (#"{"model":"m","messages":[]}"#, "non-empty array"),
        (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#, "only text parts"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":2}"#, "\"n\" must be 1"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}"#, "max_tokens"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "\"stream\""),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}"#, "\"stop\""),
        ("not json", "not JSON"),
    ])
    func refusalsNameTheField(body: String, says: String) throws {
        #expect {
            try OpenAIRequest.parse(bytes(body), endpoint: .chat)
        } throws: { error in
            guard case GatewayError.badRequest(let message) = error else { return false }
            return message.contains(says)
        }
    }

    @Test func completionNeedsAPrompt() {
        #expect(throws: GatewayError.self) {
            try OpenAIRequest.parse(bytes(#"{"model":"m","prompt":""}"#), endpoint: .completion)
        }
        #expect(throws: GatewayError.self) {
            try OpenAIRequest.parse(bytes(#"{"model":"m","prompt":["a","b"]}"#), endpoint: .completion)
        }
    }
}
