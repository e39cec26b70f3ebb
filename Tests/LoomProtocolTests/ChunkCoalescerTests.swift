import Testing

@testable import LoomProtocol

/// The rules that turn tokens into chunks: time, token count, size, the end.
@Suite struct ChunkCoalescerTests {
    @Test func aChunkGoesOutWhenTheOldestTextIsTwoHundredMillisecondsOld() {
        var c = ChunkCoalescer(firstAtOnce: false)
        #expect(c.deadline == nil)
        #expect(c.append("The", at: 10) == nil)
        #expect(c.deadline == 210)
        #expect(c.append(" sky", at: 100) == nil)
        #expect(c.flush(at: 209) == nil)
        #expect(c.flush(at: 210) == JobChunk(seq: 0, text: "The sky", tokens: 2, elapsedMs: 100))
        #expect(c.deadline == nil && c.flush(at: 10_000) == nil)
        // A token arriving past the deadline goes out with the text before it.
        #expect(c.append(" is", at: 300) == nil)
        #expect(c.append(" blue", at: 500) == JobChunk(seq: 1, text: " is blue", tokens: 4, elapsedMs: 500))
    }

    @Test func aChunkGoesOutEveryNTokens() {
        var c = ChunkCoalescer(maxDelayMs: 10_000, maxTokens: 3, firstAtOnce: false)
        var chunks: [JobChunk] = []
        for i in 0..<7 { if let chunk = c.append("t\(i) ", at: UInt64(i)) { chunks.append(chunk) } }
        #expect(chunks.map(\.text) == ["t0 t1 t2 ", "t3 t4 t5 "])
        #expect(chunks.map(\.tokens) == [3, 6])
        #expect(chunks.map(\.seq) == [0, 1])
        #expect(c.finish() == JobChunk(seq: 2, text: "t6 ", tokens: 7, elapsedMs: 6))
        #expect(c.finish() == nil)
        #expect(c.nextSeq == 3)
    }

    @Test func aChunkGoesOutWhenItIsLarge() {
        var c = ChunkCoalescer(maxDelayMs: 10_000, maxTokens: 1000, maxBytes: 8, firstAtOnce: false)
        #expect(c.append("1234", at: 0) == nil)
        #expect(c.append("5678", at: 1)?.text == "12345678")
        // The size is capped by what a chunk may carry.
        #expect(ChunkCoalescer(maxBytes: 1 << 20).maxBytes == JobChunk.maxTextBytes)
    }

    @Test func theFirstTextGoesOutAtOnceThenTheRulesApply() {
        var c = ChunkCoalescer()
        #expect(c.append("", at: 0) == nil)
        #expect(c.append("The", at: 5) == JobChunk(seq: 0, text: "The", tokens: 2, elapsedMs: 5))
        #expect(c.append(" sky", at: 10) == nil)
        #expect(c.deadline == 210)
        #expect(c.flush(at: 210) == JobChunk(seq: 1, text: " sky", tokens: 3, elapsedMs: 10))
    }

    @Test func emptyTokensAddCountsButNoChunk() {
        var c = ChunkCoalescer(maxDelayMs: 50, maxTokens: 2)
        #expect(c.append("", at: 0) == nil)
        #expect(c.append("", at: 100) == nil)
        #expect(c.deadline == nil && c.finish() == nil)
        // The running token total still counts them.
        #expect(c.append("x", at: 120) == JobChunk(seq: 0, text: "x", tokens: 3, elapsedMs: 120))
    }

    @Test func seqIsStrictlyIncreasingFromZeroAndTheTextIsKeptWhole() {
        var c = ChunkCoalescer(maxDelayMs: 200, maxTokens: 5)
        var chunks: [JobChunk] = []
        var text = ""
        for i in 0..<200 {
            let piece = i % 7 == 0 ? "" : "w\(i) "
            text += piece
            let at = UInt64(i * 37)
            if let due = c.flush(at: at) { chunks.append(due) }
            if let chunk = c.append(piece, at: at) { chunks.append(chunk) }
        }
        if let last = c.finish() { chunks.append(last) }
        #expect(chunks.map(\.seq) == Array(0..<UInt64(chunks.count)))
        #expect(chunks.map(\.text).joined() == text)
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.tokens < $1.tokens && $0.elapsedMs <= $1.elapsedMs })
        #expect(chunks.allSatisfy { (try? $0.validate()) != nil })
    }
}
