/// A piece of a running job's output (kind 20100), sent live to a client
/// that asked for `stream`. The result stays authoritative: chunks are a
/// preview that may arrive incomplete, so `seq` lets a reader see a gap.
public struct JobChunk: Sendable, Hashable, Codable {
    /// 0 for the job's first chunk, then one more per chunk.
    public var seq: UInt64
    /// The output text since the previous chunk.
    public var text: String
    /// Completion tokens generated so far, this chunk's included. A running
    /// total, so a reader that missed chunks still knows how far the job is.
    public var tokens: UInt64
    /// Backend time when this chunk's last token arrived.
    public var elapsedMs: UInt64

    public init(seq: UInt64, text: String, tokens: UInt64, elapsedMs: UInt64) {
        self.seq = seq
        self.text = text
        self.tokens = tokens
        self.elapsedMs = elapsedMs
    }

    /// Keeps the JSON under NIP-44's 65,535-byte plaintext even if every
    /// byte needed a six-byte `\u00XX` escape.
    public static let maxTextBytes = 8192

    enum CodingKeys: String, CodingKey {
        case seq, text, tokens
        case elapsedMs = "elapsed_ms"
    }

    public func validate() throws(ContentError) {
        guard !text.isEmpty else { throw .invalid(field: "text", reason: "is empty") }
        guard text.utf8.count <= Self.maxTextBytes else {
            throw .invalid(field: "text", reason: "is over \(Self.maxTextBytes) bytes")
        }
        try WireBounds.counter(seq, "seq")
        try WireBounds.counter(tokens, "tokens")
        try WireBounds.counter(elapsedMs, "elapsed_ms")
        guard tokens >= 1 else { throw .invalid(field: "tokens", reason: "must be at least 1: a chunk carries generated text") }
    }
}

extension JobChunk: CustomStringConvertible {
    /// Sizes only: the text is the client's output and must not reach logs.
    public var description: String {
        "JobChunk(seq: \(seq), \(text.utf8.count) bytes, tokens: \(tokens), elapsed_ms: \(elapsedMs))"
    }
}
