import LoomClient

/// The seam for live tokens: the text deltas a worker streams for a job
/// while it runs. The gateway forwards each delta as an SSE chunk as it
/// comes, and at the end sends whatever of the final result the deltas did
/// not carry (`LiveTextRemainder`): the 5101 result stays authoritative, so a
/// missed chunk costs latency, never text.
///
/// Live chunks (kind 20100) plug in here: an implementation subscribes to
/// the job's chunk events through `client`, opens them, orders them by
/// `seq` and yields their `text`. The stream must end when the job ends or
/// when the consumer stops iterating (the gateway cancels it at the result).
public protocol LiveText: Sendable {
    func deltas(jobID: String, worker: String, client: JobClient) -> AsyncStream<String>
}

/// No live text: the whole answer comes from the final result, in one delta at the end.
public struct FinalResultOnly: LiveText {
    public init() {}

    public func deltas(jobID: String, worker: String, client: JobClient) -> AsyncStream<String> {
        AsyncStream { $0.finish() }
    }
}

/// What of the final text is still to be sent after `streamed` went out.
public enum LiveTextRemainder {
    /// The final text past what was streamed; nil when the two disagree
    /// (chunks lost or altered on the way): sent text cannot be taken back,
    /// so the caller keeps what it got and the gateway logs the mismatch.
    public static func remainder(streamed: String, final: String) -> String? {
        // Bytes, not characters: a delta may end inside a grapheme cluster.
        guard final.utf8.starts(with: streamed.utf8) else { return nil }
        return String(decoding: final.utf8.dropFirst(streamed.utf8.count), as: UTF8.self)
    }
}
