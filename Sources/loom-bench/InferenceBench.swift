import Foundation
import Inference

/// Generation speed through `OpenAIBackend`, against the OpenAI-compatible
/// server at `$LOOM_BENCH_OPENAI_URL` (for example `scripts/llama.sh serve
/// 8080` and `http://127.0.0.1:8080/v1`); skipped when that is not set,
/// because there is no model to start here.
enum InferenceBench {
    static let tokensPerRequest = 128

    static func run(seconds: Double) async throws -> [BenchResult] {
        guard let url = ProcessInfo.processInfo.environment["LOOM_BENCH_OPENAI_URL"], !url.isEmpty else {
            FileHandle.standardError.write(
                Data("inference: skipped, set LOOM_BENCH_OPENAI_URL to an OpenAI-compatible /v1 URL\n".utf8))
            return []
        }
        let backend = OpenAIBackend(baseURL: url)
        var model = ProcessInfo.processInfo.environment["LOOM_BENCH_MODEL"] ?? ""
        if model.isEmpty { model = try await backend.models().first?.name ?? "default" }
        // ignore_eos (llama.cpp) makes every request generate the same number
        // of tokens, so runs compare; other servers ignore the field.
        let request = InferenceRequest(
            model: model, messages: [ChatMessage(role: .user, content: "Tell me a long story about a lighthouse keeper.")],
            options: ["num_predict": .int(tokensPerRequest), "temperature": 0.7, "ignore_eos": true])
        _ = try await once(backend, request)  // the first request warms the server's caches
        let clock = ContinuousClock()
        var runs = 0, tokens = 0, serverRate = 0.0
        var firstTokenTotal = Duration.zero
        let start = clock.now
        while clock.now - start < .milliseconds(Int64(seconds * 1000)) || runs < 3 {
            let run = try await once(backend, request)
            runs += 1
            tokens += run.usage.completionTokens
            serverRate += run.usage.tokensPerSecond ?? 0
            firstTokenTotal += run.firstToken
        }
        let wall = BlossomBench.secondsOf(clock.now - start)
        return [
            // As the server measured its decoding (llama.cpp's timings).
            BenchResult(
                name: "inference.server-reported (tokens/s)", iterations: runs, seconds: wall,
                opsPerSecond: serverRate / Double(runs)),
            // As a client sees it: every token over the whole requests, prompt and HTTP included.
            BenchResult(
                name: "inference.openai-backend (tokens/s)", iterations: runs, seconds: wall, opsPerSecond: Double(tokens) / wall),
            BenchResult(
                name: "inference.first-token (ms)", iterations: runs, seconds: wall,
                opsPerSecond: BlossomBench.secondsOf(firstTokenTotal) * 1000 / Double(runs)),
        ]
    }

    private static func once(
        _ backend: OpenAIBackend, _ request: InferenceRequest
    ) async throws -> (usage: Usage, firstToken: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        var firstToken: Duration?
        for try await event in backend.run(request) {
            switch event {
            case .token:
                if firstToken == nil { firstToken = clock.now - start }
            case .done(let usage):
                return (usage, firstToken ?? .zero)
            }
        }
        throw BenchFailure("inference: the stream ended without its usage")
    }
}
