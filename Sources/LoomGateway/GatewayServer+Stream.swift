import Hummingbird
import LoomJSON
import NIOCore
import Nostr
import Secp256k1

extension GatewayServer {
    /// How a streamed call begins: live text (the worker took the job), the
    /// whole result, or an error before anything was sent.
    enum Start: Sendable {
        case live(CallDelta)
        case done(CallResult)
        case failed(GatewayError)
    }

    /// What the response body writes after the start.
    enum StreamEvent: Sendable {
        case delta(String)
        case done(CallResult)
        case failed(GatewayError)
    }

    /// A `stream: true` call. The status line and headers go out at the first
    /// event, so every refusal before the worker starts (402, 404, 503, a
    /// failover) is still a plain HTTP error; after it, the text flows as SSE
    /// chunks and the end comes from the final result. `X-Loom-Cost-Sat` is a
    /// header only when the result came before any live text.
    func streamed(_ call: OpenAIRequest, pinned: [String]?) async -> Response {
        let (starts, start) = AsyncStream.makeStream(of: Start.self)
        let (events, event) = AsyncStream.makeStream(of: StreamEvent.self)
        let engine = self.engine
        // Unstructured on purpose: once a worker has been paid, the call must
        // run to its result and settle the change even if the caller hangs up.
        Task {
            let first = FirstFlag()
            do throws(CallFailure) {
                let result = try await engine.perform(call, pinned: pinned) { delta in
                    if await first.take() { start.yield(.live(delta)) } else { event.yield(.delta(delta.text)) }
                }
                if await first.take() { start.yield(.done(result)) } else { event.yield(.done(result)) }
            } catch {
                let failure = error.error
                if await first.take() { start.yield(.failed(failure)) } else { event.yield(.failed(failure)) }
            }
            start.finish()
            event.finish()
        }
        var begun: Start?
        for await s in starts {
            begun = s
            break
        }
        let headers: HTTPFields
        switch begun {
        case .failed(let error)?: return Self.error(error)
        case nil: return Self.error(GatewayError.workerFailed("the call ended without an answer"))
        case .live(let delta)?: headers = Self.headers(jobID: delta.jobID, worker: delta.worker, result: nil)
        case .done(let result)?: headers = Self.headers(jobID: result.jobID, worker: result.worker, result: result)
        }
        var sseHeaders = headers
        sseHeaders[.contentType] = "text/event-stream; charset=utf-8"
        sseHeaders[.cacheControl] = "no-cache"
        let jobID: String
        switch begun {
        case .live(let d)?: jobID = d.jobID
        case .done(let r)?: jobID = r.jobID
        default: jobID = ""
        }
        let answer = OpenAIAnswer(endpoint: call.endpoint, jobID: jobID, created: Event.now(), model: call.model)
        let firstEvent: StreamEvent =
            switch begun {
            case .live(let d)?: .delta(d.text)
            case .done(let r)?: .done(r)
            default: .failed(.workerFailed("no answer"))
            }
        let logger = self.logger
        return Response(
            status: .ok, headers: sseHeaders,
            body: ResponseBody { writer in
                var sse = SSEAnswer(answer: answer, includeUsage: call.includeUsage)
                func write(_ e: StreamEvent) async throws -> Bool {
                    let frames: [String]
                    var last = false
                    switch e {
                    case .delta(let text): frames = sse.delta(text)
                    case .done(let r):
                        if LiveTextRemainder.remainder(streamed: sse.streamed, final: r.text) == nil {
                            logger.warning("the live text disagrees with the final result", metadata: ["job": "\(r.jobID)"])
                        }
                        frames = sse.finish(
                            finalText: r.text, finishReason: r.finishReason, usage: r.usage, loom: Self.loomFields(r))
                        last = true
                    case .failed(let error):
                        frames = sse.failure(error)
                        last = true
                    }
                    for frame in frames { try await writer.write(ByteBuffer(string: frame)) }
                    return last
                }
                let ended = try await write(firstEvent)
                if !ended {
                    for await e in events {
                        if try await write(e) { break }
                    }
                }
                try await writer.finish(nil)
            })
    }
}

extension GatewayServer {
    /// What the cost headers say, for the finish chunk of a stream.
    static func loomFields(_ r: CallResult) -> JSONValue {
        .object([
            "job": .string(r.jobID), "worker": .string((try? XOnlyPublicKey(hex: r.worker).npub) ?? r.worker),
            "cost_sat": .int(Int(clamping: r.costSat)), "charged_sat": .int(Int(clamping: r.chargedSat)),
            "attempts": .int(r.attempts),
        ])
    }
}

/// True exactly once: which event is the first decides where it goes.
actor FirstFlag {
    private var taken = false
    func take() -> Bool {
        defer { taken = true }
        return !taken
    }
}
