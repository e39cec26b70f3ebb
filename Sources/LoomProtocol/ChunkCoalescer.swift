/// Turns a generation's tokens into `JobChunk`s: a chunk when the oldest
/// text waiting is `maxDelayMs` old, or `maxTokens` tokens or `maxBytes`
/// bytes wait, whichever comes first. One event per token would cost the
/// worker a signature and an encryption each (and relays a message each);
/// one every 200 ms still reads as live. The first text goes out at once
/// (`firstAtOnce`): the reader waits for it, and holding it 200 ms was most of
/// the time to first token through `loom gateway` (docs/PERFORMANCE.md).
///
/// Time is the job's elapsed milliseconds, passed in, so the rules are
/// pure; the caller's timer asks `flush(at:)` at `deadline`.
public struct ChunkCoalescer: Sendable {
    public static let defaultMaxDelayMs: UInt64 = 200
    /// At 120 tokens/s the delay rule fires first (24 tokens per 200 ms);
    /// only faster backends send chunks more often than five a second.
    public static let defaultMaxTokens: UInt64 = 32
    public static let defaultMaxBytes = 4096

    public let maxDelayMs: UInt64
    public let maxTokens: UInt64
    public let maxBytes: Int
    public let firstAtOnce: Bool

    /// The `seq` of the next chunk.
    public private(set) var nextSeq: UInt64 = 0
    private var pending = ""
    private var pendingTokens: UInt64 = 0
    private var tokens: UInt64 = 0
    private var lastAt: UInt64 = 0
    /// When the oldest waiting text arrived.
    private var firstAt: UInt64?

    public init(
        maxDelayMs: UInt64 = defaultMaxDelayMs, maxTokens: UInt64 = defaultMaxTokens, maxBytes: Int = defaultMaxBytes,
        firstAtOnce: Bool = true
    ) {
        self.firstAtOnce = firstAtOnce
        self.maxDelayMs = maxDelayMs
        self.maxTokens = max(maxTokens, 1)
        self.maxBytes = max(min(maxBytes, JobChunk.maxTextBytes), 1)
    }

    /// When the waiting text must go out (elapsed ms), nil when none waits.
    public var deadline: UInt64? { firstAt.map { $0 + maxDelayMs } }

    /// Adds one token's text, `at` the elapsed time it arrived. Returns a
    /// chunk when a rule says this token completes one.
    public mutating func append(_ text: String, at elapsedMs: UInt64) -> JobChunk? {
        tokens += 1
        pendingTokens += 1
        lastAt = max(lastAt, elapsedMs)
        if !text.isEmpty {
            if firstAt == nil { firstAt = elapsedMs }
            pending += text
        }
        guard let firstAt else { return nil }
        if (firstAtOnce && nextSeq == 0) || pendingTokens >= maxTokens || pending.utf8.count >= maxBytes
            || elapsedMs >= firstAt + maxDelayMs
        {
            return take()
        }
        return nil
    }

    /// The waiting text as a chunk if its deadline has come by `elapsedMs`.
    public mutating func flush(at elapsedMs: UInt64) -> JobChunk? {
        guard let deadline, elapsedMs >= deadline else { return nil }
        return take()
    }

    /// Whatever text waits, as the last chunk: the generation has ended.
    public mutating func finish() -> JobChunk? { firstAt == nil ? nil : take() }

    private mutating func take() -> JobChunk? {
        guard !pending.isEmpty else { return nil }
        let chunk = JobChunk(seq: nextSeq, text: pending, tokens: tokens, elapsedMs: lastAt)
        nextSeq += 1
        pending = ""
        pendingTokens = 0
        firstAt = nil
        return chunk
    }
}
