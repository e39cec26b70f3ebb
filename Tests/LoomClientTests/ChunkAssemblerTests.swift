import LoomProtocol
import Testing

@testable import LoomClient

/// Chunks in `seq` order whatever order the relays deliver them, and gaps
/// named where chunks never came.
struct ChunkAssemblerTests {
    func chunk(_ seq: UInt64) -> JobChunk { JobChunk(seq: seq, text: "c\(seq) ", tokens: seq + 1, elapsedMs: seq * 10) }

    @Test func inOrderChunksPassAtOnce() {
        var a = ChunkAssembler()
        for seq: UInt64 in 0..<5 { #expect(a.accept(chunk(seq)) == [.chunk(chunk(seq))]) }
        #expect(a.streamed == "c0 c1 c2 c3 c4 ")
        #expect(a.delivered == 5 && !a.hadGap && a.nextSeq == 5)
        #expect(a.finish().isEmpty)
    }

    @Test func lateChunksAreReordered() {
        var a = ChunkAssembler()
        #expect(a.accept(chunk(1)).isEmpty)
        #expect(a.accept(chunk(2)).isEmpty)
        #expect(a.accept(chunk(0)) == [.chunk(chunk(0)), .chunk(chunk(1)), .chunk(chunk(2))])
        #expect(a.streamed == "c0 c1 c2 " && !a.hadGap)
    }

    @Test func duplicatesAreDropped() {
        var a = ChunkAssembler()
        _ = a.accept(chunk(0))
        #expect(a.accept(chunk(0)).isEmpty)
        #expect(a.accept(chunk(2)).isEmpty)
        #expect(a.accept(chunk(2)).isEmpty)
        #expect(a.accept(chunk(1)) == [.chunk(chunk(1)), .chunk(chunk(2))])
        #expect(a.delivered == 3)
    }

    @Test func aHoleIsGivenUpOnceTheWindowFillsBehindIt() {
        var a = ChunkAssembler(window: 3)
        _ = a.accept(chunk(0))
        #expect(a.accept(chunk(2)).isEmpty)
        #expect(a.accept(chunk(3)).isEmpty)
        #expect(a.accept(chunk(4)) == [.gap(1..<2), .chunk(chunk(2)), .chunk(chunk(3)), .chunk(chunk(4))])
        #expect(a.hadGap && a.nextSeq == 5)
        // Only the text before the first gap joins up into the output's beginning.
        #expect(a.streamed == "c0 ")
        // The missing chunk arriving after all is too late.
        #expect(a.accept(chunk(1)).isEmpty)
        #expect(a.accept(chunk(5)) == [.chunk(chunk(5))])
    }

    @Test func theEndHandsOnWhatWaitsBehindHoles() {
        var a = ChunkAssembler()
        #expect(a.accept(chunk(2)).isEmpty)
        #expect(a.accept(chunk(5)).isEmpty)
        #expect(a.finish() == [.gap(0..<2), .chunk(chunk(2)), .gap(3..<5), .chunk(chunk(5))])
        #expect(a.streamed == "" && a.hadGap && a.delivered == 2)
    }

    @Test func nothingReceivedIsNoGapHere() {
        // The result, not the assembler, tells a client that heard nothing what it missed.
        var a = ChunkAssembler()
        #expect(a.finish().isEmpty)
        #expect(a.streamed == "" && a.delivered == 0 && !a.hadGap)
    }

    /// A hostile worker's last possible `seq` once crashed the client (`nextSeq += 1` overflowed).
    @Test func absurdSeqsNeitherCrashNorHold() {
        var a = ChunkAssembler(window: 2)
        let last = JobChunk(seq: UInt64.max, text: "x", tokens: 1, elapsedMs: 1)
        #expect(a.accept(last).isEmpty)
        #expect(a.accept(JobChunk(seq: UInt64.max - 1, text: "y", tokens: 1, elapsedMs: 1)).count == 3)
        #expect(a.accept(last).isEmpty)
        #expect(a.finish().isEmpty)
        #expect(a.accept(chunk(0)).isEmpty)
    }

    /// Text beyond `maxStreamedBytes` is not handed on: the result has it, and
    /// a worker cannot make the client hold more than an output may be.
    @Test func streamedTextIsBounded() {
        var a = ChunkAssembler(maxStreamedBytes: 10)
        let big = { (seq: UInt64) in JobChunk(seq: seq, text: "abcdef", tokens: seq + 1, elapsedMs: 1) }
        #expect(a.accept(big(0)).count == 1)
        #expect(a.accept(big(1)).isEmpty)
        #expect(a.accept(big(2)).isEmpty)
        #expect(a.streamed == "abcdef" && a.hadGap && a.delivered == 1)
    }
}

/// What the chunks did not carry, by bytes.
struct StreamRestTests {
    @Test func restIsTheOutputAfterTheStreamedText() {
        #expect(JobClient.rest(of: "abc def", after: "abc ") == "def")
        #expect(JobClient.rest(of: "abc", after: "abc") == "")
        #expect(JobClient.rest(of: "abc", after: "") == "abc")
        #expect(JobClient.rest(of: "abc", after: "abd") == nil)
        #expect(JobClient.rest(of: "ab", after: "abc") == nil)
        // "é" precomposed and decomposed are equal Strings, not equal bytes: the worker's bytes decide.
        #expect(JobClient.rest(of: "caf\u{E9}!", after: "cafe\u{301}") == nil)
        #expect(JobClient.rest(of: "🌈 done", after: "🌈") == " done")
    }
}
