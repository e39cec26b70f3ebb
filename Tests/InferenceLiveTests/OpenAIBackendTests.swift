import Foundation
import LoomTestSupport
import Testing

@testable import Inference

/// OpenAIBackend against the stub's `/v1` surface (SSE), as llama.cpp's
/// server, vLLM and Ollama's own `/v1` answer.
@Suite struct OpenAIBackendTests {
    func backend(_ stub: TestOllama) -> OpenAIBackend { OpenAIBackend(baseURL: stub.url + "/v1") }

    @Test func listsModels() async throws {
        let stub = try await TestOllama()
        #expect(try await backend(stub).models().map(\.name) == ["llama3.2:latest", "qwen2.5:0.5b"])
    }

    @Test func chatStreamsTokensAndTheUsageChunk() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let outcome = await collect(
            backend(stub).run(
                InferenceRequest(
                    model: "llama3.2", messages: question, options: ["num_predict": 6, "temperature": 0.1, "num_ctx": 2048])))
        #expect(outcome.error == nil)
        #expect(outcome.tokens == Array(stubTokens.prefix(6)))
        let stats = try await stub.stats()
        let usage = try #require(outcome.usage)
        #expect(usage.completionTokens == 6 && Double(usage.promptTokens) == stats.lastFinal["prompt_tokens"])
        #expect(usage.stopReason == "length" && !usage.estimated && usage.totalDuration != nil)
        let body = try decodeJSON(stats.lastRequestBody)
        #expect(body["stream"] == true && body["stream_options"] == ["include_usage": true])
        #expect(body["max_tokens"] == 6 && body["temperature"] == 0.1 && body["num_ctx"] == nil)
        #expect(stats.paths["/v1/chat/completions"] == 1)
    }

    @Test func promptIsSentAsOneUserMessage() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let outcome = await collect(backend(stub).run(InferenceRequest(model: "qwen2.5:0.5b", prompt: "Why?")))
        #expect(outcome.text == stubReply)
        let body = try decodeJSON(try await stub.stats().lastRequestBody)
        #expect(body["messages"] == [["role": "user", "content": "Why?"]])
    }

    @Test func withoutUsageTheDeltasAreCounted() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        try await stub.control(#"{"include_usage": false}"#)
        let outcome = await collect(backend(stub).run(InferenceRequest(model: "llama3.2", messages: question)))
        let usage = try #require(outcome.usage)
        #expect(usage.estimated && usage.completionTokens == stubTokens.count && usage.promptTokens == 0)
        #expect(usage.stopReason == "stop" && usage.tokensPerSecond != nil)
    }

    @Test func llamaCppTimingsAreUsedWhenUsageIsMissing() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        try await stub.control(#"{"include_usage": false, "timings": true}"#)
        let outcome = await collect(backend(stub).run(InferenceRequest(model: "llama3.2", messages: question)))
        let usage = try #require(outcome.usage)
        let final = try await stub.stats().lastFinal
        #expect(!usage.estimated && usage.completionTokens == stubTokens.count)
        // The decimal text round-trips to within an ulp, not always exactly.
        #expect(abs(try #require(usage.tokensPerSecond) - final["predicted_per_second"]!) < 1e-9)
        #expect(Double(usage.promptTokens) == final["prompt_n"])
    }

    @Test func splitEventsParse() async throws {
        let stub = try await TestOllama(arguments: ["--split-lines", "--tokens-per-second", "100"])
        let outcome = await collect(backend(stub).run(InferenceRequest(model: "llama3.2", messages: question)))
        #expect(outcome.error == nil && outcome.tokens == stubTokens)
    }

    @Test func errorsMapToTheSameCases() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let api = backend(stub)
        let missing = await collect(api.run(InferenceRequest(model: "nope", prompt: "hi")))
        #expect(missing.inferenceError == .modelNotFound(#"model "nope" not found, try pulling it first"#))
        let oom = await collect(api.run(InferenceRequest(model: "stub-oom", prompt: "hi")))
        if case .outOfMemory = oom.inferenceError {} else { Issue.record("oom: \(String(describing: oom.error))") }
        let mid = await collect(api.run(InferenceRequest(model: "stub-error-midstream", prompt: "hi")))
        #expect(mid.tokens.count == 3)
        if case .backendError(200, _) = mid.inferenceError {} else { Issue.record("midstream: \(String(describing: mid.error))") }
        let garbage = await collect(api.run(InferenceRequest(model: "stub-garbage", prompt: "hi")))
        if case .malformedStream = garbage.inferenceError {
        } else {
            Issue.record("garbage: \(String(describing: garbage.error))")
        }
        let dropped = await collect(api.run(InferenceRequest(model: "stub-drop", prompt: "hi")))
        if case .malformedStream = dropped.inferenceError {} else { Issue.record("drop: \(String(describing: dropped.error))") }
    }

    @Test func unreachable() async throws {
        let api = OpenAIBackend(baseURL: "http://127.0.0.1:\(try TestServer.unusedPort())/v1")
        let outcome = await collect(api.run(InferenceRequest(model: "m", prompt: "hi")))
        if case .backendUnreachable = outcome.inferenceError {} else { Issue.record("\(String(describing: outcome.error))") }
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        // Slow and long enough that the reply cannot finish before the cancel, even on a loaded machine.
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "1", "--reply", longStubReply])
        let (tokens, sawDone) = try await readThenCancelConsumer(
            backend(stub).run(InferenceRequest(model: "llama3.2", messages: question)), after: 3)
        #expect(tokens == Array(stubTokens.prefix(3)) && !sawDone)
        let stats = try await stub.stats { $0.disconnects > 0 }
        #expect(stats.disconnects == 1 && stats.completed == 0)
    }
}
