import Foundation
import LoomTestSupport
import Testing

extension ClientSuites {
    /// `loom job submit --stream` through the built binary, against a real
    /// relay, mint and Blossom server: the text as it comes, the rest from
    /// the result when chunks are lost, and JSON lines.
    @Suite(.serialized)
    struct CLIStreamTests {
        static let text = "Rayleigh scattering makes the sky look blue."

        @Test func streamedOutputMatchesTheResultEvenWhenChunksAreLost() async throws {
            let s = try await CLIJobTests.setup(sats: 200)
            try await withBlossomServer { blossom in
                let worker = try await FakeWorker.advertised(
                    on: s.relay, mint: s.mint, script: .complete(text: Self.text, elapsedMs: 3000), blossom: blossom)
                let args =
                    ["job", "submit", "why blue?", "--stream", "--seconds", "10", "--model", "llama3.2:3b", "--timeout", "180"]
                    + s.paying

                // Every chunk: stdout is the output and a newline, exactly as without --stream.
                let whole = try await CLITests.loom(args)
                #expect(whole.code == 0, "\(whole.stderr)")
                #expect(whole.stdout == Self.text + "\n")
                #expect(whole.stderr.contains("completed; paid 25 sat"), "\(whole.stderr)")
                #expect(!whole.stderr.contains("warning"), "\(whole.stderr)")
                let request = try #require(await worker.requests.last)
                #expect(request.request.stream)

                // Chunks 2 and 4 lost on the way: the same stdout, the missing part from the result.
                await worker.setSkippedChunks([2, 4])
                let gappy = try await CLITests.loom(args)
                #expect(gappy.code == 0, "\(gappy.stderr)")
                #expect(gappy.stdout == Self.text + "\n")

                // No chunk at all (a relay that drops ephemeral events): still the whole output.
                await worker.setSkippedChunks(Set(0..<20))
                let none = try await CLITests.loom(args)
                #expect(none.code == 0, "\(none.stderr)")
                #expect(none.stdout == Self.text + "\n")

                // JSON lines: one per chunk, in order, then the outcome object.
                await worker.setSkippedChunks([])
                let json = try await CLITests.loom(args + ["--json"])
                #expect(json.code == 0, "\(json.stderr)")
                let lines = json.lines
                let chunks = lines.dropLast()
                #expect(chunks.count == Self.text.split(separator: " ").count, "\(json.stdout)")
                #expect(chunks.allSatisfy { $0["type"] as? String == "chunk" && $0["job_id"] is String })
                #expect(chunks.compactMap { $0["seq"] as? Int } == Array(0..<chunks.count))
                #expect(chunks.compactMap { $0["text"] as? String }.joined() == Self.text)
                let outcome = try #require(lines.last)
                #expect(outcome["status"] as? String == "completed" && outcome["output"] as? String == Self.text)
                #expect(outcome["job_id"] as? String == chunks.first?["job_id"] as? String)

                // Chunks that disagree with the result: said on stderr, and the result's output follows whole.
                await worker.setChunkText("Something else entirely.")
                let diverged = try await CLITests.loom(args)
                #expect(diverged.code == 0, "\(diverged.stderr)")
                #expect(diverged.stdout == "Something else entirely.\n" + Self.text + "\n")
                #expect(
                    diverged.stderr.contains("warning: the streamed text does not match the job's result"), "\(diverged.stderr)")
                await worker.setChunkText(nil)

                // Refused before anything is paid.
                let noWait = try await CLITests.loom(args + ["--no-wait"])
                #expect(noWait.code == 1 && noWait.stderr.contains("--no-wait"), "\(noWait.stderr)")
                await worker.stop()
            }
        }
    }
}
