import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where `scripts/llama.sh install` put llama-server and the SmolLM2-135M
/// GGUF. `make e2e-inference` sets both; without them the llama tests are
/// skipped, because building llama.cpp takes longer than the rest of `make test`.
public enum LlamaEnvironment {
    public static let server = value("LOOM_LLAMA_SERVER")
    public static let model = value("LOOM_LLAMA_MODEL")
    public static var available: Bool { server != nil && model != nil }

    private static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A real llama-server with SmolLM2-135M on a free loopback port, started
/// with the same flags as `scripts/llama.sh serve`.
public final class TestLlama: Sendable {
    public static let modelID = "smollm2-135m"
    public let server: TestServer
    /// The server's root; the OpenAI API is under `/v1`.
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    public struct Missing: Error, CustomStringConvertible {
        public let description = "set LOOM_LLAMA_SERVER and LOOM_LLAMA_MODEL (make e2e-inference does)"
    }

    public init() async throws {
        guard let executable = LlamaEnvironment.server, let model = LlamaEnvironment.model else { throw Missing() }
        // One slot, as `scripts/llama.sh serve` has; --metrics for the
        // token counter the cancellation tests read.
        server = try await TestServer(
            name: "llama-server", executable: executable,
            arguments: [
                "--host", "127.0.0.1", "--port", "{port}", "-m", model, "--alias", Self.modelID,
                "-c", "2048", "-t", "2", "-np", "1", "--no-webui", "--metrics",
            ],
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
    public func metrics() async throws -> (predicted: Int, processing: Int) {
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
    public func idle(waitingUpTo limit: Duration = .seconds(60)) async throws -> (predicted: Int, processing: Int) {
        let deadline = ContinuousClock.now + limit
        var latest = try await metrics()
        while latest.processing > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            latest = try await metrics()
        }
        return latest
    }

    public func get(_ path: String) async throws -> (Int, Data) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: URL(string: baseURL + path)!) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                continuation.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }.resume()
        }
    }
}
