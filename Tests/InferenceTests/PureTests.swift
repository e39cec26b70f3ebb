import Foundation
import LoomJSON
import Testing

@testable import Inference

@Suite struct LineBufferTests {
    @Test func joinsALineSplitAcrossChunks() throws {
        var buffer = LineBuffer()
        let line = Array(#"{"response":"caf\#u{E9} \#u{1F308}","done":false}"#.utf8) + [10]
        // Cut everywhere, including inside the two multi-byte characters.
        for cut in 1..<line.count {
            var lines = try buffer.append(line[..<cut])
            lines += try buffer.append(line[cut...])
            #expect(lines == [#"{"response":"caf\#u{E9} \#u{1F308}","done":false}"#])
        }
        #expect(buffer.finish() == nil)
    }

    @Test func manyLinesInOneChunkAndCRLF() throws {
        var buffer = LineBuffer()
        #expect(try buffer.append(Array("a\r\nb\n\nc".utf8)) == ["a", "b", ""])
        #expect(buffer.finish() == "c")
    }

    @Test func refusesEndlessLines() {
        var buffer = LineBuffer(maxLineBytes: 8)
        #expect(throws: InferenceError.self) { try buffer.append(Array("0123456789".utf8)) }
    }
}

@Suite struct ServerSentEventTests {
    @Test func dataLinesBlankLineAndComments() {
        var parser = ServerSentEvents()
        var events: [ServerSentEvents.Event] = []
        for line in [": keep-alive", "event: message", "data: {\"a\":1}", "data:second", "id: 7", "", "", "data: [DONE]", ""] {
            if let e = parser.feed(line) { events.append(e) }
        }
        #expect(events == [.init(name: "message", data: "{\"a\":1}\nsecond"), .init(name: nil, data: "[DONE]")])
    }

    @Test func lastEventWithoutBlankLineAndLlamaCppErrorField() {
        var parser = ServerSentEvents()
        #expect(parser.feed("error: {\"message\":\"boom\"}") == nil)
        #expect(parser.finish() == .init(name: "error", data: "{\"message\":\"boom\"}"))
    }
}

@Suite struct ValueTests {
    @Test func jsonValueKeepsIntegersIntegral() throws {
        let options: [String: JSONValue] = ["seed": 42, "temperature": 0.5, "stop": ["\n", "user:"], "mirostat": nil]
        let text = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        #expect(text.contains("\"seed\":42") && !text.contains("42.0"))
        #expect(try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) == options)
    }

    @Test func errorsAreClassifiedByMessageThenStatus() {
        #expect(InferenceError.classify(status: 404, message: "model 'x' not found") == .modelNotFound("model 'x' not found"))
        #expect(
            InferenceError.classify(status: 404, message: "model \"x\" not found, try pulling it first")
                == .modelNotFound("model \"x\" not found, try pulling it first"))
        #expect(
            InferenceError.classify(status: 404, message: "The model `x` does not exist.")
                == .modelNotFound("The model `x` does not exist."))
        #expect(
            InferenceError.classify(status: 500, message: "CUDA error: out of memory")
                == .outOfMemory("CUDA error: out of memory"))
        #expect(
            InferenceError.classify(
                status: 500, message: "model requires more system memory (5.6 GiB) than is available (1.9 GiB)")
                == .outOfMemory("model requires more system memory (5.6 GiB) than is available (1.9 GiB)"))
        #expect(
            InferenceError.classify(status: 404, message: "404 page not found")
                == .backendError(status: 404, message: "404 page not found"))
        #expect(
            InferenceError.classify(status: 400, message: "invalid options")
                == .backendError(status: 400, message: "invalid options"))
    }

    @Test func errorBodiesOfBothDialects() {
        #expect(HTTPTransport.errorMessage(in: Array(#"{"error":"model 'x' not found"}"#.utf8)) == "model 'x' not found")
        #expect(HTTPTransport.errorMessage(in: Array(#"{"error":{"message":"bad","type":"x"}}"#.utf8)) == "bad")
        #expect(HTTPTransport.errorMessage(in: Array("404 page not found\n".utf8)) == "404 page not found")
        #expect(HTTPTransport.errorMessage(in: []) == nil)
    }

    @Test func requestDescriptionLeavesThePromptOut() {
        let request = InferenceRequest(model: "m", prompt: "my secret business plan")
        #expect(!"\(request)".contains("secret"))
        #expect(!String(describing: InferenceRequest(model: "m", messages: question)).contains("sky"))
    }

    @Test func openAIOptionsFromOllamaNames() {
        let body = OpenAIBackend.body(
            for: InferenceRequest(
                model: "m", prompt: "hi",
                options: [
                    "num_predict": 64, "temperature": 0.2, "seed": 7, "num_ctx": 4096, "top_k": 40,
                ]), usage: true)
        #expect(body["max_tokens"] == 64 && body["temperature"] == 0.2 && body["seed"] == 7 && body["top_k"] == 40)
        #expect(body["num_ctx"] == nil && body["num_predict"] == nil)
        #expect(body["stream"] == true && body["stream_options"]?["include_usage"] == true)
        #expect(body["messages"] == [["role": "user", "content": "hi"]])
        let unlimited = OpenAIBackend.body(
            for: InferenceRequest(model: "m", prompt: "hi", options: ["num_predict": -1]), usage: false)
        #expect(unlimited["max_tokens"] == nil && unlimited["stream_options"] == nil)
    }

    /// Only sampling fields reach an OpenAI-compatible server: `n` would
    /// multiply the work, `id_slot` take another client's slot, and the
    /// runtime options are the server's own.
    @Test func openAIBodyCarriesOnlySamplingFields() {
        let body = OpenAIBackend.body(
            for: InferenceRequest(
                model: "m", prompt: "hi",
                options: [
                    "temperature": 0.5, "top_p": 0.9, "min_p": 0.05, "repeat_penalty": 1.1, "presence_penalty": 0.5,
                    "frequency_penalty": -0.5, "stop": ["\n"], "ignore_eos": true,
                    "n": 8, "id_slot": 0, "cache_prompt": false, "num_ctx": 65536, "num_gpu": 99, "use_mlock": true,
                    "keep_alive": -1, "model": "other", "messages": [], "stream": false, "logit_bias": ["1": 100],
                ]), usage: false)
        let fields = Set(body.objectValue?.keys.map { $0 } ?? [])
        #expect(
            fields == [
                "model", "messages", "stream", "temperature", "top_p", "min_p", "repeat_penalty",
                "presence_penalty", "frequency_penalty", "stop", "ignore_eos",
            ])
        #expect(body["model"] == "m" && body["stream"] == true && body["stop"] == ["\n"])
    }
}

/// The same question InferenceLiveTests ask the stub (test targets cannot share files).
let question = [
    ChatMessage(role: .system, content: "Answer briefly."),
    ChatMessage(role: .user, content: "Why is the sky blue?"),
]
