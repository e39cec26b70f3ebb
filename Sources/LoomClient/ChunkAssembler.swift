import LoomProtocol

/// Puts a job's live chunks in `seq` order and says where some are missing.
///
/// Relays may deliver chunks late, twice (from two relays) or never
/// (ephemeral events are not kept, and some relays drop them). A chunk
/// ahead of the next expected one waits; once `window` chunks wait behind
/// a hole, the hole is given up as a gap and delivery goes on after it.
/// Pure: `JobClient.stream` feeds it, tests drive it directly.
///
/// A worker is not trusted here either: at most `window` chunks are held,
/// at most `maxStreamedBytes` of text are handed on (the rest is only in the
/// result), and no `seq`, not even `UInt64.max`, can make a count overflow.
public struct ChunkAssembler: Sendable {
    /// What the assembler hands on, in order.
    public enum Step: Sendable, Hashable {
        case chunk(JobChunk)
        /// These `seq`s never came; their text is only in the result.
        case gap(Range<UInt64>)
    }

    public static let defaultWindow = 16
    /// As much live text as an output may hold (`JobResult.maxOutputBytes`).
    public static let defaultMaxStreamedBytes = Int(JobResult.maxOutputBytes)

    public let window: Int
    public let maxStreamedBytes: Int
    /// The `seq` delivery waits for.
    public private(set) var nextSeq: UInt64 = 0
    /// The text of the chunks delivered from seq 0 up to the first gap: the
    /// beginning of the output, as far as it is known without a hole.
    public private(set) var streamed = ""
    /// Chunks delivered, and whether any gap has been given up.
    public private(set) var delivered = 0
    public private(set) var hadGap = false
    /// Text handed on so far, gaps or not.
    private var handedBytes = 0
    /// No later chunk is taken: the last `seq` there can be was delivered, or
    /// the text reached `maxStreamedBytes`.
    private var closed = false
    private var held: [UInt64: JobChunk] = [:]

    public init(window: Int = defaultWindow, maxStreamedBytes: Int = defaultMaxStreamedBytes) {
        self.window = max(window, 1)
        self.maxStreamedBytes = max(maxStreamedBytes, 0)
    }

    /// Takes one chunk; returns what can now be handed on. Duplicates and
    /// chunks behind a given-up gap are dropped.
    public mutating func accept(_ chunk: JobChunk) -> [Step] {
        guard !closed, chunk.seq >= nextSeq, held[chunk.seq] == nil else { return [] }
        held[chunk.seq] = chunk
        var steps = drain()
        if held.count >= window { steps += skipToHeld() }
        return steps
    }

    /// The job ended: chunks still waiting are handed on after their gaps.
    /// A hole at the end (chunks after the last one received) is not
    /// known here; the result tells it (`StreamedOutcome.rest`).
    public mutating func finish() -> [Step] {
        var steps: [Step] = []
        while !held.isEmpty, !closed { steps += skipToHeld() }
        held.removeAll()
        return steps
    }

    private mutating func drain() -> [Step] {
        var steps: [Step] = []
        while !closed, let chunk = held.removeValue(forKey: nextSeq) {
            let bytes = chunk.text.utf8.count
            guard handedBytes + bytes <= maxStreamedBytes else {
                // The rest of the text is the result's to give.
                closed = true
                hadGap = true
                held.removeAll()
                break
            }
            handedBytes += bytes
            if !hadGap { streamed += chunk.text }
            delivered += 1
            steps.append(.chunk(chunk))
            if nextSeq == UInt64.max { closed = true } else { nextSeq += 1 }
        }
        return steps
    }

    private mutating func skipToHeld() -> [Step] {
        guard let lowest = held.keys.min() else { return [] }
        let gap = nextSeq..<lowest
        hadGap = true
        nextSeq = lowest
        return [.gap(gap)] + drain()
    }
}
