import LoomJSON
import Testing

@testable import LoomGateway

/// OpenAI's batch input and output lines.
struct BatchFormatTests {
    @Test func inputLinesBecomeCallsNeverStreamed() throws {
        let line = try BatchFormat.parse(
            #"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}}"#,
            number: 1)
        #expect(line.customID == "a" && line.request.endpoint == .chat && !line.request.stream)
        let completion = try BatchFormat.parse(
            #"{"custom_id":"b","url":"/v1/completions","body":{"model":"m","prompt":"x"}}"#, number: 2)
        #expect(completion.request.endpoint == .completion)
    }

    @Test(arguments: [
        (#"{"url":"/v1/completions","body":{}}"#, "line 3: not a JSON object"),
        (#"{"custom_id":"c","url":"/v1/embeddings","body":{}}"#, "url must be"),
        (#"{"custom_id":"c","method":"GET","url":"/v1/completions","body":{}}"#, "method must be POST"),
        (#"{"custom_id":"c","url":"/v1/completions","body":{"model":"m"}}"#, "\"prompt\""),
    ])
    func refusalsNameTheLine(text: String, says: String) {
        #expect {
            try BatchFormat.parse(text, number: 3)
        } throws: { error in
            (error as? GatewayError)?.message.contains(says) ?? false
        }
    }

    @Test func outputLinesAndWhatAResumeSkips() throws {
        let ok = BatchFormat.answered(customID: "a", jobID: "j", body: ["object": "chat.completion"])
        let bad = BatchFormat.failed(customID: "b", error: .workersBusy("all busy"))
        #expect(
            try json(ok)
                == json(
                    #"{"id":"batch_req_j","custom_id":"a","response":{"status_code":200,"request_id":"j","body":{"object":"chat.completion"}},"error":null}"#
                ))
        #expect(try json(bad).objectValue?["error"]?.objectValue?["code"] == "workers_busy")
        #expect(BatchFormat.answeredIDs(in: ok + "\n" + bad + "\n{broken\n") == ["a"])
        #expect(
            BatchFormat.via(output: "/o.jsonl", customID: "a", bodyHash: "h")
                != BatchFormat.via(output: "/p.jsonl", customID: "a", bodyHash: "h"))
    }

    /// An edited prompt under the same custom_id must not find the old job in the journal.
    @Test func aLineIsKeyedOnItsBodyToo() throws {
        let line = { (prompt: String) throws in
            try BatchFormat.parse(
                #"{"custom_id":"a","method":"POST","url":"/v1/completions","body":{"model":"m","prompt":"\#(prompt)"}}"#,
                number: 1)
        }
        let first = try line("two plus two"), edited = try line("two plus three"), again = try line("two plus two")
        #expect(first.bodyHash != edited.bodyHash)
        #expect(first.bodyHash == again.bodyHash)
        // Key order in the file does not matter: the body is hashed with its keys sorted.
        let reordered = try BatchFormat.parse(
            #"{"custom_id":"a","method":"POST","url":"/v1/completions","body":{"prompt":"two plus two","model":"m"}}"#,
            number: 1)
        #expect(reordered.bodyHash == first.bodyHash)
        #expect(
            BatchFormat.via(output: "/o", customID: "a", bodyHash: first.bodyHash)
                != BatchFormat.via(output: "/o", customID: "a", bodyHash: edited.bodyHash))
    }
}
