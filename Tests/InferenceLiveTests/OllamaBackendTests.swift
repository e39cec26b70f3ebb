import Foundation
import LoomTestSupport
import Testing

@testable import Inference

/// OllamaBackend against scripts/ollama_stub.py over loopback sockets.
@Suite struct OllamaBackendTests {
    @Test func listsModelsAndVersion() async throws {
        let stub = try await TestOllama()
        let backend = OllamaBackend(baseURL: stub.url)
        let models = try await backend.models()
        #expect(models.map(\.name) == ["llama3.2:latest", "qwen2.5:0.5b"])
        #expect(models[0].sizeBytes == 2_019_393_189 && models[0].family == "llama")
        #expect(models[0].parameterSize == "3.2B" && models[0].quantization == "Q4_K_M")
        #expect(try await backend.version() == "0.12.6")
    }

    /// A request's options reach Ollama only as sampling options: a client's
    /// `num_ctx` would make Ollama reload the model, `num_gpu` or `use_mlock`
    /// change its memory, `keep_alive` keep it loaded, for every other client.
    @Test func onlySamplingOptionsReachOllama() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let backend = OllamaBackend(baseURL: stub.url)
        let outcome = await collect(
            backend.run(
                InferenceRequest(
                    model: "llama3.2", prompt: "Why?",
                    options: [
                        "temperature": 0.2, "num_predict": 4, "seed": 3, "stop": ["\n"], "top_k": 20,
                        "num_ctx": 131_072, "num_gpu": 99, "use_mlock": true, "num_thread": 64, "keep_alive": -1,
                        "ignore_eos": true,
                    ])))
        #expect(outcome.error == nil)
        let body = try decodeJSON(try await stub.stats().lastRequestBody)
        #expect(body["options"] == ["temperature": 0.2, "num_predict": 4, "seed": 3, "stop": ["\n"], "top_k": 20])
        #expect(body["keep_alive"] == nil)
    }

    /// The operator's context length and keep-alive are sent, each where
    /// Ollama reads it (`options.num_ctx`, top-level `keep_alive`, seconds).
    @Test func theOperatorsContextAndKeepAliveReachOllama() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let backend = OllamaBackend(baseURL: stub.url)
        let request = InferenceRequest(
            model: "llama3.2", input: .messages(question), options: ["num_predict": 4],
            contextLength: 8192, keepAliveSeconds: 600)
        #expect(await collect(backend.run(request)).error == nil)
        let body = try decodeJSON(try await stub.stats().lastRequestBody)
        #expect(body["options"] == ["num_predict": 4, "num_ctx": 8192])
        #expect(body["keep_alive"] == 600)
    }

    @Test func chatStreamsTokensInOrderAndUsageFromDone() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let backend = OllamaBackend(baseURL: stub.url)
        let outcome = await collect(backend.run(InferenceRequest(model: "llama3.2", messages: question, options: ["seed": 42])))
        #expect(outcome.error == nil)
        #expect(outcome.tokens == stubTokens)
        let stats = try await stub.stats()
        let final = stats.lastFinal
        let usage = try #require(outcome.usage)
        #expect(usage.promptTokens == Int(final["prompt_eval_count"]!))
        #expect(usage.completionTokens == stubTokens.count && Double(usage.completionTokens) == final["eval_count"])
        #expect(usage.evalDuration == .nanoseconds(Int64(final["eval_duration"]!)))
        #expect(usage.totalDuration == .nanoseconds(Int64(final["total_duration"]!)))
        #expect(usage.tokensPerSecond == final["eval_count"]! / final["eval_duration"]! * 1e9)
        #expect(usage.stopReason == "stop" && !usage.estimated)
        // What went over the wire: the chat endpoint, streaming, options intact.
        #expect(stats.paths["/api/chat"] == 1)
        let body = try decodeJSON(stats.lastRequestBody)
        #expect(body["stream"] == true && body["options"] == ["seed": 42])
        #expect(
            body["messages"] == [
                ["role": "system", "content": "Answer briefly."],
                ["role": "user", "content": "Why is the sky blue?"],
            ])
    }

    @Test func generateStreamsAndHonoursNumPredict() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let backend = OllamaBackend(baseURL: stub.url)
        let outcome = await collect(
            backend.run(InferenceRequest(model: "qwen2.5:0.5b", prompt: "Why?", options: ["num_predict": 4])))
        #expect(outcome.error == nil)
        #expect(outcome.tokens == Array(stubTokens.prefix(4)))
        #expect(outcome.usage?.completionTokens == 4 && outcome.usage?.stopReason == "length")
        let stats = try await stub.stats()
        #expect(stats.paths["/api/generate"] == 1)
        let body = try decodeJSON(stats.lastRequestBody)
        #expect(body["prompt"] == "Why?" && body["model"] == "qwen2.5:0.5b" && body["stream"] == true)
    }

    /// Tokens are handed on as they arrive, not after the whole reply: at the
    /// first token, the stub is still streaming. Counts only, no clocks; the
    /// reply is long (a minute at this pace) so even a starved test thread
    /// gets its first token while the stub is still generating.
    @Test func tokensArriveWhileTheBackendIsStillGenerating() async throws {
        let longReply = Array(repeating: "word", count: 120).joined(separator: " ")
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "2", "--reply", longReply])
        let backend = OllamaBackend(baseURL: stub.url)
        let stream = backend.run(InferenceRequest(model: "llama3.2", prompt: "Why?"))
        var duringGeneration: OllamaStubStats?
        for try await event in stream {
            guard case .token = event else { continue }
            duringGeneration = try await stub.stats()
            break
        }
        stream.cancel()
        #expect(duringGeneration?.activeStreams == 1 && duringGeneration?.completed == 0)
    }

    @Test func splitLinesAndSplitCharactersParse() async throws {
        let stub = try await TestOllama(arguments: ["--split-lines", "--tokens-per-second", "100"])
        let outcome = await collect(OllamaBackend(baseURL: stub.url).run(InferenceRequest(model: "llama3.2", messages: question)))
        #expect(outcome.error == nil)
        #expect(outcome.tokens == stubTokens && outcome.text == stubReply)
        #expect(outcome.usage?.completionTokens == stubTokens.count)
    }

    @Test func missingModelIsModelNotFound() async throws {
        let stub = try await TestOllama()
        let outcome = await collect(OllamaBackend(baseURL: stub.url).run(InferenceRequest(model: "mistral:7b", prompt: "hi")))
        #expect(outcome.inferenceError == .modelNotFound("model 'mistral:7b' not found"))
        #expect(outcome.tokens.isEmpty && outcome.usage == nil)
    }

    @Test func outOfMemoryIsOutOfMemory() async throws {
        let stub = try await TestOllama(arguments: ["--mode", "oom"])
        let outcome = await collect(OllamaBackend(baseURL: stub.url).run(InferenceRequest(model: "llama3.2", prompt: "hi")))
        guard case .outOfMemory(let message) = outcome.inferenceError else {
            Issue.record("expected outOfMemory, got \(String(describing: outcome.error))")
            return
        }
        #expect(message.contains("requires more system memory"))
    }

    @Test func errorLineMidStreamEndsTheStreamWithBackendError() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        try await stub.control(#"{"mode": "error-midstream", "error_after": 3}"#)
        let outcome = await collect(OllamaBackend(baseURL: stub.url).run(InferenceRequest(model: "llama3.2", messages: question)))
        #expect(outcome.tokens == Array(stubTokens.prefix(3)) && outcome.usage == nil)
        guard case .backendError(let status, let message) = outcome.inferenceError else {
            Issue.record("expected backendError, got \(String(describing: outcome.error))")
            return
        }
        #expect(status == 200 && message.contains("error was encountered while running the model"))
    }

    @Test func droppedConnectionAndGarbageAreMalformed() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "200"])
        let backend = OllamaBackend(baseURL: stub.url)
        for model in ["stub-drop", "stub-garbage"] {
            let outcome = await collect(backend.run(InferenceRequest(model: model, prompt: "hi")))
            // A connection that is reset may lose bytes the client had not
            // read yet, so the dropped stream may show fewer tokens.
            #expect(model == "stub-drop" ? outcome.tokens.count <= 3 : outcome.tokens.count == 3, "\(model)")
            guard case .malformedStream = outcome.inferenceError else {
                Issue.record("\(model): expected malformedStream, got \(String(describing: outcome.error))")
                continue
            }
        }
    }

    @Test func nothingListeningIsBackendUnreachable() async throws {
        let backend = OllamaBackend(baseURL: "http://127.0.0.1:\(try TestServer.unusedPort())")
        let outcome = await collect(backend.run(InferenceRequest(model: "llama3.2", prompt: "hi")))
        guard case .backendUnreachable = outcome.inferenceError else {
            Issue.record("expected backendUnreachable, got \(String(describing: outcome.error))")
            return
        }
        await #expect(throws: InferenceError.self) { try await backend.models() }
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        // Slow and long enough that the reply cannot finish before the cancel, even on a loaded machine.
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "1", "--reply", longStubReply])
        let backend = OllamaBackend(baseURL: stub.url)
        let (tokens, sawDone) = try await readThenCancelConsumer(
            backend.run(InferenceRequest(model: "llama3.2", messages: question)), after: 2)
        #expect(tokens == Array(stubTokens.prefix(2)) && !sawDone)
        let stats = try await stub.stats { $0.disconnects > 0 }
        #expect(
            stats.disconnects == 1 && stats.completed == 0 && stats.activeStreams == 0,
            "disconnects \(stats.disconnects), completed \(stats.completed), active \(stats.activeStreams), requests \(stats.requests)"
        )
    }

    @Test func cancelWhileTheModelNeverAnswers() async throws {
        // `hang`: no response head at all (a load that never finishes);
        // `hang-after-headers`: a head, then no tokens.
        let stub = try await TestOllama()
        let backend = OllamaBackend(baseURL: stub.url)
        for (index, model) in ["stub-hang", "stub-hang-after-headers"].enumerated() {
            let stream = backend.run(InferenceRequest(model: model, prompt: "hi"))
            let consumer = Task { await collect(stream) }
            let arrived = try await stub.stats { $0.paths["/api/generate"] == index + 1 }
            #expect(arrived.paths["/api/generate"] == index + 1)
            stream.cancel()
            let outcome = await consumer.value
            #expect(outcome.error == nil && outcome.tokens.isEmpty && outcome.usage == nil, "\(model)")
            let stats = try await stub.stats { $0.disconnects == index + 1 }
            #expect(stats.disconnects == index + 1, "\(model)")
        }
    }

    @Test func concurrentJobsStayApart() async throws {
        let stub = try await TestOllama(arguments: ["--tokens-per-second", "100"])
        let backend = OllamaBackend(baseURL: stub.url)
        async let a = collect(backend.run(InferenceRequest(model: "llama3.2", prompt: "a", options: ["num_predict": 5])))
        async let b = collect(backend.run(InferenceRequest(model: "qwen2.5:0.5b", messages: question)))
        let (first, second) = await (a, b)
        #expect(first.tokens == Array(stubTokens.prefix(5)) && first.usage?.completionTokens == 5)
        #expect(second.tokens == stubTokens && second.usage?.completionTokens == stubTokens.count)
    }
}
