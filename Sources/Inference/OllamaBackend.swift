import AsyncHTTPClient
import Logging
import NIOHTTP1

/// Ollama's native API: `/api/tags`, and `/api/chat` or `/api/generate`
/// streamed as newline-delimited JSON.
public struct OllamaBackend: InferenceBackend {
    public static let defaultURL = "http://127.0.0.1:11434"

    private let transport: HTTPTransport
    private let logger: Logger

    /// `responseTimeout` bounds the wait for the response head, which Ollama
    /// sends only once the model is loaded; the generation itself is bounded
    /// by the caller cancelling the stream.
    public init(
        baseURL: String = OllamaBackend.defaultURL, client: HTTPClient = .inference,
        responseTimeout: Duration = .seconds(300),
        logger: Logger = Logger(label: "loom.inference.ollama")
    ) {
        transport = HTTPTransport(
            baseURL: baseURL, client: client, headers: [:],
            responseTimeout: responseTimeout.timeAmount, logger: logger)
        self.logger = logger
    }

    public func models() async throws -> [ModelInfo] {
        let tags = try await transport.get("/api/tags", as: OllamaWire.Tags.self)
        return tags.models.map {
            ModelInfo(
                name: $0.name, sizeBytes: $0.size, family: $0.details?.family.nilIfEmpty,
                parameterSize: $0.details?.parameterSize.nilIfEmpty,
                quantization: $0.details?.quantizationLevel.nilIfEmpty)
        }
    }

    /// Ollama's `/api/ps`: the models in memory now (until their keep_alive runs out).
    public func loadedModels() async throws -> [String]? {
        try await transport.get("/api/ps", as: OllamaWire.Tags.self).models.map(\.name)
    }

    /// The server's version string, e.g. "0.12.6".
    public func version() async throws -> String {
        try await transport.get("/api/version", as: OllamaWire.Version.self).version
    }

    public func run(_ request: InferenceRequest) -> InferenceStream {
        InferenceStream { [transport, logger] continuation in
            let options = OllamaWire.options(for: request)
            let response: HTTPClientResponse
            logger.debug("ollama request", metadata: ["request": "\(request)"])
            switch request.input {
            case .messages(let messages):
                response = try await transport.post(
                    "/api/chat",
                    json: OllamaWire.ChatBody(
                        model: request.model, messages: messages, stream: true, options: options,
                        keepAlive: request.keepAliveSeconds))
            case .prompt(let prompt):
                response = try await transport.post(
                    "/api/generate",
                    json: OllamaWire.GenerateBody(
                        model: request.model, prompt: prompt, stream: true, options: options,
                        keepAlive: request.keepAliveSeconds))
            }
            var meter = TokenMeter()
            var finished = false
            try await transport.forEachLine(of: response) { line in
                // Anything after `done` is ignored; the body is still read to
                // its end so the connection can be reused.
                guard !finished, !line.isEmpty else { return }
                let chunk = try OllamaWire.Chunk.decode(line)
                if let error = chunk.error {
                    throw InferenceError.classify(status: Int(response.status.code), message: error)
                }
                if let text = chunk.message?.content ?? chunk.response, !text.isEmpty {
                    meter.tick()
                    continuation.yield(.token(text))
                }
                if chunk.done == true {
                    finished = true
                    let usage = chunk.usage(counted: meter)
                    logger.debug(
                        "ollama done",
                        metadata: [
                            "model": "\(request.model)", "tokens": "\(usage.completionTokens)",
                            "reason": "\(usage.stopReason ?? "-")",
                        ])
                    continuation.yield(.done(usage))
                }
            }
            guard finished else {
                throw InferenceError.malformedStream("the stream ended before its final done object")
            }
        }
    }
}

extension Optional where Wrapped == String {
    /// Ollama writes "" for details it does not know.
    var nilIfEmpty: String? {
        switch self {
        case .some(let s) where !s.isEmpty: return s
        default: return nil
        }
    }
}
