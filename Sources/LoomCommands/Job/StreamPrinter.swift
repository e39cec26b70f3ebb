import LoomClient
import LoomProtocol

/// What `loom job submit --stream` prints while the job streams.
///
/// Text: each chunk's text on stdout as it comes, in order. At the first
/// gap (chunks the relay never delivered) printing stops, and at the end
/// the rest of the result's output follows, so stdout ends up holding
/// exactly what it would without `--stream`: the output and a newline. If
/// the chunks do not match the result's output, a warning on stderr says so
/// and the whole output is printed after a newline. JSON: one line per
/// chunk as it comes, then the outcome object of `--json`.
struct StreamPrinter {
    let console: Console
    let json: Bool
    let jobID: String
    private var printed = false
    private var stopped = false

    init(console: Console, json: Bool, jobID: String) {
        self.console = console
        self.json = json
        self.jobID = jobID
    }

    /// One JSON line per chunk; the final object has `status`, these have `type`.
    struct ChunkLine: Encodable {
        let type = "chunk"
        let job_id: String
        let seq: UInt64
        let text: String
        let tokens: UInt64
        let elapsed_ms: UInt64
    }

    /// Prints events until the result; returns the settled outcome.
    mutating func run(_ events: AsyncThrowingStream<JobStreamEvent, any Error>, nevent: String) async throws -> JobOutcome? {
        for try await event in events {
            switch event {
            case .status: continue
            case .chunk(let c): show(c)
            case .gap: stopped = true
            case .result(let end):
                finish(end)
                JobReport.print(end.outcome, nevent: nevent, json: json, showOutput: false, on: console)
                return end.outcome
            }
        }
        return nil
    }

    private mutating func show(_ chunk: JobChunk) {
        if json {
            let line = ChunkLine(
                job_id: jobID, seq: chunk.seq, text: chunk.text, tokens: chunk.tokens, elapsed_ms: chunk.elapsedMs)
            console.printNow((try? JSONOutput.string(line)) ?? "{}")
        } else if !stopped {
            console.writeNow(chunk.text)
            printed = true
        }
    }

    private func finish(_ end: StreamedOutcome) {
        guard !json else { return }
        switch (end.rest, end.outcome.output) {
        case (let rest?, _):
            console.writeNow(rest + "\n")
        case (nil, let output?):
            if printed { console.writeNow("\n") }
            console.warn("warning: the streamed text does not match the job's result; the result's output follows")
            console.writeNow(output + "\n")
        case (nil, nil):
            if printed {
                console.writeNow("\n")
                console.warn("warning: the streamed text above could not be checked: the result's output was not downloaded")
            }
        }
    }
}
