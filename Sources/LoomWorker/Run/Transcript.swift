import Foundation
import Inference
import LoomJSON
import LoomProtocol

/// The JSON blob uploaded beside the output: what was asked (without the
/// payment), what it used and when. The client keeps it as its record. It
/// holds the prompt, so it is encrypted like the output (`Worker.upload`).
struct Transcript: Encodable {
    let v = WireVersion.current
    let requestID: String
    let model: String
    let prompt: String?
    let messages: [LoomProtocol.ChatMessage]?
    let options: [String: JSONValue]
    let maxSeconds: UInt64?
    let output: String
    let usage: JobResult.Usage?
    let timings: Timings

    struct Timings: Encodable {
        let receivedAt: Int64
        let startedAt: Int64?
        let finishedAt: Int64
        let elapsedMs: UInt64
        enum CodingKeys: String, CodingKey {
            case receivedAt = "received_at", startedAt = "started_at", finishedAt = "finished_at", elapsedMs = "elapsed_ms"
        }
    }

    enum CodingKeys: String, CodingKey {
        case v, model, prompt, messages, options, output, usage, timings
        case requestID = "request_id", maxSeconds = "max_seconds"
    }

    init(requestID: String, request: JobRequest, output: String, usage: JobResult.Usage?, timings: Timings) {
        self.requestID = requestID
        model = request.model
        switch request.input {
        case .prompt(let p): prompt = p; messages = nil
        case .messages(let m): prompt = nil; messages = m
        case .blob: prompt = nil; messages = nil  // not fetched (a job refunded after a restart)
        }
        options = request.options
        maxSeconds = request.maxSeconds
        self.output = output
        self.usage = usage
        self.timings = timings
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension JobResult.Usage {
    init(_ usage: Inference.Usage) {
        let tps = usage.tokensPerSecond.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        self.init(
            promptTokens: UInt64(max(0, usage.promptTokens)), completionTokens: UInt64(max(0, usage.completionTokens)),
            tokensPerSecond: tps)
    }
}
