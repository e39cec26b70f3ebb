import Foundation
import LoomJSON
import LoomProtocol

/// OpenAI's batch files (`loom job batch`): an input line is
/// `{"custom_id", "method": "POST", "url": "/v1/chat/completions" | "/v1/completions", "body"}`;
/// an output line is `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`,
/// with `response` null and `error` `{"code", "message"}` when the line got no answer. Pure.
public enum BatchFormat {
    public struct Line: Sendable, Hashable {
        public var customID: String
        public var request: OpenAIRequest
        /// SHA-256 of the line's body (keys sorted): a rerun with an edited prompt
        /// under the same `custom_id` is a new call, never the old answer.
        public var bodyHash: String
    }

    /// One input line; the error names the line number and what is wrong.
    public static func parse(_ text: String, number: Int) throws(GatewayError) -> Line {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let object = value.objectValue,
            let customID = object["custom_id"]?.stringValue, !customID.isEmpty
        else { throw .badRequest("line \(number): not a JSON object with a \"custom_id\" string") }
        if let method = object["method"]?.stringValue, method != "POST" {
            throw .badRequest("line \(number) (\(customID)): method must be POST")
        }
        let endpoint: OpenAIRequest.Endpoint
        switch object["url"]?.stringValue {
        case "/v1/chat/completions": endpoint = .chat
        case "/v1/completions": endpoint = .completion
        default: throw .badRequest("line \(number) (\(customID)): url must be /v1/chat/completions or /v1/completions")
        }
        guard let body = object["body"], body.objectValue != nil else {
            throw .badRequest("line \(number) (\(customID)): \"body\" must be an object")
        }
        var request: OpenAIRequest
        do { request = try OpenAIRequest.parse(Array(SSE.json(body).utf8), endpoint: endpoint) } catch {
            throw .badRequest("line \(number) (\(customID)): \(error.message)")
        }
        // A batch answer is one JSON object, never a stream.
        request.stream = false
        return Line(customID: customID, request: request, bodyHash: BlobEncryption.sha256Hex(Array(SSE.json(body).utf8)))
    }

    /// The output line of an answered request.
    public static func answered(customID: String, jobID: String, body: JSONValue) -> String {
        SSE.json(
            JSONValue.object([
                "id": .string("batch_req_" + jobID), "custom_id": .string(customID),
                "response": .object(["status_code": 200, "request_id": .string(jobID), "body": body]), "error": nil,
            ]))
    }

    /// The output line of a request that got no answer.
    public static func failed(customID: String, error: GatewayError) -> String {
        SSE.json(
            JSONValue.object([
                "id": .string("batch_req_" + customID), "custom_id": .string(customID), "response": nil,
                "error": .object([
                    "code": .string(error.code), "message": .string(error.message), "status_code": .int(error.status),
                ]),
            ]))
    }

    /// The custom ids an existing output file has answered (a resumed batch skips them).
    public static func answeredIDs(in text: String) -> Set<String> {
        var ids = Set<String>()
        for line in text.split(separator: "\n") {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)), let object = value.objectValue,
                let id = object["custom_id"]?.stringValue, object["response"]?.objectValue != nil
            else { continue }
            ids.insert(id)
        }
        return ids
    }

    /// The journal's `via` for a batch line: the output file, the custom id and
    /// the body's hash, so a resumed batch finds the job it paid for, and
    /// another batch (or the same id with another prompt) never does.
    public static func via(output: String, customID: String, bodyHash: String) -> String {
        "batch \(output)#\(customID)#\(bodyHash.prefix(16))"
    }
}
