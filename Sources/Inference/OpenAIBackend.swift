import AsyncHTTPClient
import Logging
import LoomJSON
import NIOHTTP1

/// An OpenAI-compatible server (llama.cpp's `llama-server`, vLLM, LM Studio):
/// `/models` and `/chat/completions` streamed as server-sent events.
public struct OpenAIBackend: InferenceBackend {
    /// llama.cpp's default address. As with OpenAI's own clients, the base
    /// URL includes the `/v1` prefix.
    public static let defaultURL = "http://127.0.0.1:8080/v1"

    private let transport: HTTPTransport
    private let logger: Logger
    private let requestUsage: Bool

    /// `requestUsage` asks for a final usage chunk (`stream_options`); turn it
    /// off for servers that refuse the field, and tokens are counted instead.
    public init(
        baseURL: String = OpenAIBackend.defaultURL, apiKey: String? = nil, client: HTTPClient = .inference,
        responseTimeout: Duration = .seconds(300), requestUsage: Bool = true,
        logger: Logger = Logger(label: "loom.inference.openai")
    ) {
        var headers = HTTPHeaders()
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        // llama-server answers `Keep-Alive` but closes the connection after a
        // streamed response; a pooled connection reused for the next request
        // then fails with "I/O on closed channel". A new loopback connection
        // per request costs far less than one generated token.
        headers.add(name: "Connection", value: "close")
        transport = HTTPTransport(
            baseURL: baseURL, client: client, headers: headers,
            responseTimeout: responseTimeout.timeAmount, logger: logger)
        self.logger = logger
        self.requestUsage = requestUsage
    }

    public func models() async throws -> [ModelInfo] {
        try await transport.get("/models", as: OpenAIWire.Models.self).data.map {
            ModelInfo(name: $0.id, sizeBytes: $0.meta?.size)
        }
    }

    /// An OpenAI-compatible server (llama.cpp's, vLLM) holds the model it
    /// serves in memory for as long as it runs: what it lists is loaded.
    public func loadedModels() async throws -> [String]? { try await models().map(\.name) }

    public func run(_ request: InferenceRequest) -> InferenceStream {
        InferenceStream { [transport, logger, requestUsage] continuation in
            let started = ContinuousClock.now
            logger.debug("openai request", metadata: ["request": "\(request)"])
            let response = try await transport.post("/chat/completions", json: Self.body(for: request, usage: requestUsage))
            let status = Int(response.status.code)
            var parser = ServerSentEvents()
            var meter = TokenMeter()
            var state = StreamState()

            func handle(_ event: ServerSentEvents.Event) throws {
                if event.data == "[DONE]" {
                    state.sawDone = true
                    return
                }
                if event.name == "error" {
                    let message = HTTPTransport.errorMessage(in: Array(event.data.utf8)) ?? event.data
                    throw InferenceError.classify(status: status, message: message)
                }
                let chunk = try OpenAIWire.Chunk.decode(event.data)
                if let message = chunk.errorMessage {
                    throw InferenceError.classify(status: status, message: message)
                }
                // Only one completion is asked for (no `n`), so every choice is choice 0.
                for choice in chunk.choices ?? [] {
                    if let text = choice.delta?.content, !text.isEmpty {
                        meter.tick()
                        continuation.yield(.token(text))
                    }
                    if let reason = choice.finishReason { state.stopReason = reason }
                }
                state.usage = chunk.usage ?? state.usage
                state.timings = chunk.timings ?? state.timings
            }

            try await transport.forEachLine(of: response) { line in
                guard !state.sawDone, let event = parser.feed(line) else { return }
                try handle(event)
            }
            if !state.sawDone, let event = parser.finish() { try handle(event) }
            // Some servers (ik_llama.cpp) end without `[DONE]`; a finish
            // reason is as good a sign that the completion is whole.
            guard state.sawDone || state.stopReason != nil else {
                throw InferenceError.malformedStream("the stream ended before [DONE]")
            }
            let usage = state.summary(meter: meter, total: started.duration(to: .now))
            logger.debug(
                "openai done",
                metadata: [
                    "model": "\(request.model)", "tokens": "\(usage.completionTokens)", "estimated": "\(usage.estimated)",
                ])
            continuation.yield(.done(usage))
        }
    }

    static func body(for request: InferenceRequest, usage: Bool) -> JSONValue {
        var body = OpenAIWire.fields(from: request.options)
        let messages: [ChatMessage]
        switch request.input {
        case .messages(let m): messages = m
        case .prompt(let p): messages = [ChatMessage(role: .user, content: p)]
        }
        body["model"] = .string(request.model)
        body["messages"] = .array(messages.map { .object(["role": .string($0.role.rawValue), "content": .string($0.content)]) })
        body["stream"] = true
        if usage { body["stream_options"] = ["include_usage": true] }
        return .object(body)
    }
}

/// What a chat completion stream has told us so far.
private struct StreamState {
    var sawDone = false
    var stopReason: String?
    var usage: OpenAIWire.Chunk.Usage?
    var timings: OpenAIWire.Chunk.Timings?

    /// Reported numbers first (usage, then llama.cpp's timings), our own count last.
    func summary(meter: TokenMeter, total: Duration) -> Usage {
        let reported = usage?.completionTokens ?? timings?.predictedN
        let completion = reported ?? meter.count
        let eval = timings?.predictedMs.map { Duration.milliseconds($0) }
        var rate = timings?.predictedPerSecond ?? meter.tokensPerSecond
        if rate == nil, let eval, eval > .zero { rate = Double(completion) / eval.inSeconds }
        return Usage(
            promptTokens: usage?.promptTokens ?? timings?.promptN ?? 0,
            completionTokens: completion,
            totalDuration: total,
            evalDuration: eval ?? meter.generationTime,
            tokensPerSecond: completion > 0 ? rate : nil,
            stopReason: stopReason,
            estimated: reported == nil)
    }
}
