import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `scripts/ollama_stub.py` on a free loopback port: Ollama's HTTP API (and
/// an OpenAI-compatible `/v1`) with scripted failures, for one test.
///
/// Failures are chosen by `arguments` (`--mode oom`, `--tokens-per-second 5`,
/// `--split-lines`), by `control(_:)` at run time, or per request with a
/// magic model name such as `stub-oom` or `stub-hang`.
public final class TestOllama: Sendable {
    public let server: TestServer
    public var url: String { "http://127.0.0.1:\(server.port)" }

    public init(arguments: [String] = []) async throws {
        let script = TestServer.packageRoot.appendingPathComponent("scripts/ollama_stub.py").path
        server = try await TestServer(
            name: "ollama-stub", executable: "/usr/bin/env",
            arguments: ["python3", script, "--port", "{port}"] + arguments,
            startTimeout: .seconds(30))
    }

    /// Change settings of the running stub: `mode`, `tokens_per_second`,
    /// `reply`, `error_after`, `split_lines`, `include_usage`, `timings`, `models`.
    public func control(_ json: String) async throws {
        _ = try await send("POST", "/__control", body: Data(json.utf8))
    }

    public func stats() async throws -> OllamaStubStats {
        try OllamaStubStats(json: try await send("GET", "/__stats", body: nil))
    }

    /// Polls the stats until `done` holds; returns the last stats either way,
    /// so the caller's assertion reports what was seen.
    public func stats(
        waitingUpTo limit: Duration = .seconds(60),
        until done: (OllamaStubStats) -> Bool
    ) async throws -> OllamaStubStats {
        let deadline = ContinuousClock.now + limit
        var latest = try await stats()
        while !done(latest), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            latest = try await stats()
        }
        return latest
    }

    private func send(_ method: String, _ path: String, body: Data?) async throws -> Data {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
                    let text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                    return continuation.resume(throwing: TestServer.Failure(description: "stub \(path): \(text)"))
                }
                continuation.resume(returning: data ?? Data())
            }.resume()
        }
    }
}

/// What the stub has seen. `disconnects` counts requests whose client hung
/// up before the response was complete.
public struct OllamaStubStats: Sendable {
    public let requests: Int
    public let disconnects: Int
    public let completed: Int
    public let activeStreams: Int
    public let paths: [String: Int]
    /// The numbers in the last final object sent: Ollama's `done` line, or
    /// the OpenAI chunk's `usage` and llama.cpp-style `timings`, flattened.
    public let lastFinal: [String: Double]
    /// The JSON body of the last inference request, as received.
    public let lastRequestBody: Data?

    init(json: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw TestServer.Failure(description: "stub stats are not an object")
        }
        requests = root["requests"] as? Int ?? 0
        disconnects = root["disconnects"] as? Int ?? 0
        completed = root["completed"] as? Int ?? 0
        activeStreams = root["active_streams"] as? Int ?? 0
        paths = root["paths"] as? [String: Int] ?? [:]
        let final = root["last_final"] as? [String: Any] ?? [:]
        var numbers: [String: Double] = [:]
        for object in [final, final["usage"] as? [String: Any] ?? [:], final["timings"] as? [String: Any] ?? [:]] {
            for (key, value) in object {
                if let n = (value as? Int).map(Double.init) ?? (value as? Double) { numbers[key] = n }
            }
        }
        lastFinal = numbers
        let bodies = (root["bodies"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        lastRequestBody = try bodies.last.map { try JSONSerialization.data(withJSONObject: $0) }
    }
}
