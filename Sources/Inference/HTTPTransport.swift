import AsyncHTTPClient
import Foundation
import Logging
import LoomJSON
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The HTTP plumbing both backends share: one place decides which failures
/// are "unreachable", how error bodies are read, and how a streamed body is
/// cut into lines.
struct HTTPTransport: Sendable {
    let baseURL: String
    let client: HTTPClient
    let headers: HTTPHeaders
    /// Time allowed until the response head. Ollama sends no head before the
    /// model is loaded, so this must cover a cold load from disk.
    let responseTimeout: TimeAmount
    let logger: Logger

    init(baseURL: String, client: HTTPClient, headers: HTTPHeaders, responseTimeout: TimeAmount, logger: Logger) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.client = client
        self.headers = headers
        self.responseTimeout = responseTimeout
        self.logger = logger
    }

    /// GET a JSON document.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let response = try await send(path, method: .GET, body: nil)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 32 << 20)
        } catch {
            throw Self.midStreamFailure(error)
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw InferenceError.malformedStream("\(path) answered with unexpected JSON: \(error)")
        }
    }

    /// POST a JSON body; the response is returned only if its status is 200.
    func post(_ path: String, json: some Encodable) async throws -> HTTPClientResponse {
        let body: Data
        do {
            body = try JSONEncoder().encode(json)
        } catch {
            // Only a non-finite Double in the options can get here.
            throw InferenceError.backendError(status: 0, message: "request could not be encoded: \(error)")
        }
        return try await send(path, method: .POST, body: body)
    }

    /// Calls `handle` with each line of the body, in order, and a last line
    /// without a newline at the end too.
    func forEachLine(of response: HTTPClientResponse, _ handle: (String) throws -> Void) async throws {
        var buffer = LineBuffer()
        do {
            for try await chunk in response.body {
                for line in try buffer.append(chunk.readableBytesView) {
                    try handle(line)
                }
            }
        } catch let error as InferenceError {
            throw error
        } catch {
            throw Self.midStreamFailure(error)
        }
        if let last = buffer.finish() { try handle(last) }
    }

    private func send(_ path: String, method: HTTPMethod, body: Data?) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers = headers
        if let body {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: responseTimeout, logger: logger)
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            throw InferenceError.backendUnreachable("\(method) \(baseURL)\(path): \(error)")
        }
        guard response.status == .ok else {
            throw await failure(of: response, path: path)
        }
        return response
    }

    private func failure(of response: HTTPClientResponse, path: String) async -> any Error {
        let status = Int(response.status.code)
        let body = try? await response.body.collect(upTo: 1 << 20)
        if Task.isCancelled { return CancellationError() }
        let message =
            body.flatMap { Self.errorMessage(in: Array($0.readableBytesView)) }
            ?? "HTTP \(status) from \(path)"
        logger.debug("backend refused", metadata: ["path": "\(path)", "status": "\(status)"])
        return InferenceError.classify(status: status, message: message)
    }

    /// The message in an error body: Ollama writes `{"error": "…"}`,
    /// OpenAI-style servers `{"error": {"message": "…"}}`, some servers plain text.
    static func errorMessage(in bytes: [UInt8]) -> String? {
        if let json = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) {
            if let text = json["error"]?.stringValue ?? json["error"]?["message"]?.stringValue
                ?? json["message"]?.stringValue
            {
                return text
            }
        }
        let text = String(decoding: bytes.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// After the head, a broken connection is a broken stream; cancellation stays cancellation.
    private static func midStreamFailure(_ error: any Error) -> any Error {
        if Task.isCancelled || error is CancellationError { return CancellationError() }
        return InferenceError.malformedStream("connection lost mid-stream: \(error)")
    }
}
