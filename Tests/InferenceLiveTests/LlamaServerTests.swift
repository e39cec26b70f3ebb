import Foundation
import LoomJSON
import LoomTestSupport
import Testing

@testable import Inference

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension TestLlama {
    var backend: OpenAIBackend { OpenAIBackend(baseURL: baseURL + "/v1") }
}

/// OpenAIBackend against llama.cpp's llama-server running SmolLM2-135M: real
/// tokens, real usage numbers, a real cancellation. Serialized because the
/// machines that run them have two cores.
@Suite(
    .serialized,
    .enabled(
        if: LlamaEnvironment.available,
        "set LOOM_LLAMA_SERVER and LOOM_LLAMA_MODEL (make e2e-inference does)"))
struct LlamaServerTests {
    let question = [ChatMessage(role: .user, content: "What is the capital of France?")]

    @Test func modelsListsTheLoadedModel() async throws {
        let llama = try await TestLlama()
        let models = try await llama.backend.models()
        #expect(models.map(\.name) == [TestLlama.modelID])
        // llama.cpp reports the file's size in `meta`; the Q4_1 GGUF is about 100 MB.
        let size = try #require(models.first?.sizeBytes)
        #expect(size > 10_000_000)
    }

    @Test func chatStreamsTokensAndUsage() async throws {
        let llama = try await TestLlama()
        let outcome = await collect(
            llama.backend.run(
                InferenceRequest(
                    model: TestLlama.modelID, messages: question,
                    options: ["num_predict": 24, "temperature": 0, "seed": 7, "num_ctx": 2048])))
        #expect(outcome.error == nil, "\(String(describing: outcome.error))\n\(llama.server.logTail())")
        #expect(!outcome.tokens.isEmpty && !outcome.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let usage = try #require(outcome.usage)
        // Counted by the server (stream_options.include_usage), not by us.
        #expect(!usage.estimated)
        #expect(usage.promptTokens > 0)
        #expect(usage.completionTokens > 0 && usage.completionTokens <= 24)
        // A delta carries at least one token; llama.cpp holds back a token
        // that ends inside a UTF-8 character or a possible stop word.
        #expect(outcome.tokens.count <= usage.completionTokens)
        #expect(usage.stopReason == "stop" || usage.stopReason == "length")
        #expect(usage.tokensPerSecond.map { $0 > 0 } == true)
        #expect(usage.evalDuration != nil && usage.totalDuration != nil)
    }

    @Test func lengthLimitIsReportedAsLength() async throws {
        let llama = try await TestLlama()
        // ignore_eos (llama.cpp's own field, passed through as an option)
        // makes the model run to the limit whatever it would have said.
        let outcome = await collect(
            llama.backend.run(
                InferenceRequest(
                    model: TestLlama.modelID, messages: question, options: ["num_predict": 8, "ignore_eos": true])))
        let usage = try #require(outcome.usage, "\(String(describing: outcome.error))")
        #expect(usage.completionTokens == 8 && usage.stopReason == "length")
    }

    @Test func cancellingMidStreamStopsTheGeneration() async throws {
        let llama = try await TestLlama()
        let limit = 1500
        let before = try await llama.metrics().predicted
        let (tokens, sawDone) = try await readThenCancelConsumer(
            llama.backend.run(
                InferenceRequest(
                    model: TestLlama.modelID, messages: question,
                    options: ["num_predict": .int(limit), "ignore_eos": true])),
            after: 3)
        #expect(tokens.count == 3 && !sawDone)
        // The server notices the closed connection at its next write and
        // stops; had it not, it would go on until all `limit` tokens
        // (ignore_eos) were generated and counted.
        let after = try await llama.idle()
        #expect(after.processing == 0)
        let generated = after.predicted - before
        #expect(generated >= 3 && generated < limit, "generated \(generated) of \(limit)")
        // And the server is fine afterwards: the next request is served in full.
        let next = await collect(
            llama.backend.run(
                InferenceRequest(
                    model: TestLlama.modelID, messages: question, options: ["num_predict": 4, "ignore_eos": true])))
        #expect(next.error == nil && next.usage?.completionTokens == 4)
    }

    @Test func consecutiveRequestsOnOneBackendAllSucceed() async throws {
        // llama-server closes the connection after each streamed response
        // although it answers `Keep-Alive`; a pooled connection reused for
        // the next job then failed as "I/O on closed channel".
        let llama = try await TestLlama()
        let backend = llama.backend
        _ = try await backend.models()
        for round in 0..<4 {
            let outcome = await collect(
                backend.run(
                    InferenceRequest(
                        model: TestLlama.modelID, messages: question, options: ["num_predict": 4, "ignore_eos": true])))
            #expect(
                outcome.error == nil && outcome.usage?.completionTokens == 4,
                "round \(round): \(String(describing: outcome.error))")
        }
        _ = try await backend.models()
    }

    @Test func modelNameIsNotChecked() async throws {
        // llama-server with one model (no router mode) answers whatever
        // `model` says; the worker must therefore check a job's model against
        // models() itself before it runs the job.
        let llama = try await TestLlama()
        let outcome = await collect(
            llama.backend.run(
                InferenceRequest(
                    model: "no-such-model", messages: question, options: ["num_predict": 4, "ignore_eos": true])))
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.usage?.completionTokens == 4)
        #expect(try await !llama.backend.models().map(\.name).contains("no-such-model"))
    }

    @Test func serverErrorsBecomeInferenceErrors() async throws {
        // A prompt longer than the 2048-token context is refused with HTTP 400
        // before anything is streamed.
        let llama = try await TestLlama()
        let long = String(repeating: "sky blue green red ", count: 1200)
        let outcome = await collect(
            llama.backend.run(
                InferenceRequest(
                    model: TestLlama.modelID, prompt: long, options: ["num_predict": 4])))
        #expect(outcome.tokens.isEmpty && outcome.usage == nil)
        guard case .backendError(let status, let message) = outcome.inferenceError else {
            Issue.record("expected a backend error, got \(String(describing: outcome.error))")
            return
        }
        #expect(status == 400 && !message.isEmpty, "\(status): \(message)")
    }
}
