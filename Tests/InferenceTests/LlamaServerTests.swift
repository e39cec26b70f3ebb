import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Inference
import LoomJSON
import LoomTestSupport
import Testing

/// Where `scripts/llama.sh install` put llama-server and the SmolLM2-135M
/// GGUF. `make e2e-inference` sets both; without them these tests are skipped,
/// because building llama.cpp takes far longer than the rest of `make test`.
enum LlamaEnvironment {
    static let server = value("LOOM_LLAMA_SERVER")
    static let model = value("LOOM_LLAMA_MODEL")
    static var available: Bool { server != nil && model != nil }

    private static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A real llama-server with SmolLM2-135M on a free loopback port, started
/// with the same flags as `scripts/llama.sh serve`.
final class LlamaServer: Sendable {
    static let modelID = "smollm2-135m"
    let server: TestServer
    var baseURL: String { "http://127.0.0.1:\(server.port)" }
    var backend: OpenAIBackend { OpenAIBackend(baseURL: baseURL + "/v1") }

    init() async throws {
        let executable = try #require(LlamaEnvironment.server)
        let model = try #require(LlamaEnvironment.model)
        // One slot, as `scripts/llama.sh serve` has; --metrics for the
        // token counter the cancellation test reads.
        server = try await TestServer(
            name: "llama-server", executable: executable,
            arguments: ["--host", "127.0.0.1", "--port", "{port}", "-m", model, "--alias", Self.modelID,
                        "-c", "2048", "-t", "2", "-np", "1", "--no-webui", "--metrics"],
            startTimeout: .seconds(120))
        try await waitUntilLoaded()
    }

    /// llama-server listens before the model is loaded and answers 503
    /// meanwhile; /health turns 200 once requests can be served.
    private func waitUntilLoaded(limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await get("/health"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestServer.Failure(description: "llama-server did not load the model within \(limit):\n" + server.logTail())
    }

    /// Counters from llama-server's Prometheus `/metrics` (`--metrics`):
    /// `tokens_predicted_total` counts every generated token, those of a
    /// cancelled request included, and `requests_processing` the requests
    /// being generated now. (`/slots` is no use here: it zeroes a slot's
    /// `n_decoded` when the slot is released.)
    func metrics() async throws -> (predicted: Int, processing: Int) {
        let (status, data) = try await get("/metrics")
        let text = String(decoding: data, as: UTF8.self)
        func value(_ name: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix("llamacpp:\(name) ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
        }
        guard status == 200, let predicted = value("tokens_predicted_total"), let processing = value("requests_processing") else {
            throw TestServer.Failure(description: "/metrics answered \(status): \(text.prefix(400))")
        }
        return (predicted, processing)
    }

    /// Polls /metrics until no request is being generated; returns the last
    /// counters either way, so the caller's expectation reports what was seen.
    func idle(waitingUpTo limit: Duration = .seconds(60)) async throws -> (predicted: Int, processing: Int) {
        let deadline = ContinuousClock.now + limit
        var latest = try await metrics()
        while latest.processing > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            latest = try await metrics()
        }
        return latest
    }

    func get(_ path: String) async throws -> (Int, Data) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: URL(string: baseURL + path)!) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                continuation.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }.resume()
        }
    }
}

/// OpenAIBackend against llama.cpp's llama-server running SmolLM2-135M: real
/// tokens, real usage numbers, a real cancellation. Serialized because the
/// machines that run them have two cores.
@Suite(.serialized, .enabled(if: LlamaEnvironment.available,
                             "set LOOM_LLAMA_SERVER and LOOM_LLAMA_MODEL (make e2e-inference does)"))
struct LlamaServerTests {
    let question = [ChatMessage(role: .user, content: "What is the capital of France?")]

    @Test func modelsListsTheLoadedModel() async throws {
        let llama = try await LlamaServer()
        let models = try await llama.backend.models()
        #expect(models.map(\.name) == [LlamaServer.modelID])
        // llama.cpp reports the file's size in `meta`; the Q4_1 GGUF is about 100 MB.
        let size = try #require(models.first?.sizeBytes)
        #expect(size > 10_000_000)
    }

    @Test func chatStreamsTokensAndUsage() async throws {
        let llama = try await LlamaServer()
        let outcome = await collect(llama.backend.run(InferenceRequest(
            model: LlamaServer.modelID, messages: question,
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
        let llama = try await LlamaServer()
        // ignore_eos (llama.cpp's own field, passed through as an option)
        // makes the model run to the limit whatever it would have said.
        let outcome = await collect(llama.backend.run(InferenceRequest(
            model: LlamaServer.modelID, messages: question, options: ["num_predict": 8, "ignore_eos": true])))
        let usage = try #require(outcome.usage, "\(String(describing: outcome.error))")
        #expect(usage.completionTokens == 8 && usage.stopReason == "length")
    }

    @Test func cancellingMidStreamStopsTheGeneration() async throws {
        let llama = try await LlamaServer()
        let limit = 1500
        let before = try await llama.metrics().predicted
        let (tokens, sawDone) = try await readThenCancelConsumer(
            llama.backend.run(InferenceRequest(
                model: LlamaServer.modelID, messages: question,
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
        let next = await collect(llama.backend.run(InferenceRequest(
            model: LlamaServer.modelID, messages: question, options: ["num_predict": 4, "ignore_eos": true])))
        #expect(next.error == nil && next.usage?.completionTokens == 4)
    }

    @Test func consecutiveRequestsOnOneBackendAllSucceed() async throws {
        // llama-server closes the connection after each streamed response
        // although it answers `Keep-Alive`; a pooled connection reused for
        // the next job then failed as "I/O on closed channel".
        let llama = try await LlamaServer()
        let backend = llama.backend
        _ = try await backend.models()
        for round in 0..<4 {
            let outcome = await collect(backend.run(InferenceRequest(
                model: LlamaServer.modelID, messages: question, options: ["num_predict": 4, "ignore_eos": true])))
            #expect(outcome.error == nil && outcome.usage?.completionTokens == 4,
                    "round \(round): \(String(describing: outcome.error))")
        }
        _ = try await backend.models()
    }

    @Test func modelNameIsNotChecked() async throws {
        // llama-server with one model (no router mode) answers whatever
        // `model` says; the worker must therefore check a job's model against
        // models() itself before it runs the job.
        let llama = try await LlamaServer()
        let outcome = await collect(llama.backend.run(InferenceRequest(
            model: "no-such-model", messages: question, options: ["num_predict": 4, "ignore_eos": true])))
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.usage?.completionTokens == 4)
        #expect(try await !llama.backend.models().map(\.name).contains("no-such-model"))
    }

    @Test func serverErrorsBecomeInferenceErrors() async throws {
        // A prompt longer than the 2048-token context is refused with HTTP 400
        // before anything is streamed.
        let llama = try await LlamaServer()
        let long = String(repeating: "sky blue green red ", count: 1200)
        let outcome = await collect(llama.backend.run(InferenceRequest(
            model: LlamaServer.modelID, prompt: long, options: ["num_predict": 4])))
        #expect(outcome.tokens.isEmpty && outcome.usage == nil)
        guard case .backendError(let status, let message) = outcome.inferenceError else {
            Issue.record("expected a backend error, got \(String(describing: outcome.error))")
            return
        }
        #expect(status == 400 && !message.isEmpty, "\(status): \(message)")
    }
}
