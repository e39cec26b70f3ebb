import LoomProtocol
import Nostr
import Secp256k1

/// What a streamed job costs the worker (docs/PERFORMANCE.md, "Live
/// chunks"): sealing one chunk (NIP-44 with the job's conversation key,
/// then the event's id and BIP-340 signature), and one second of output at
/// 120 tokens/s through the coalescer, every chunk it makes sealed.
enum StreamBench {
    static var cases: [BenchCase] {
        [
            BenchCase(name: "chunk.seal.24tokens") {
                let (worker, client, key, job) = parties()
                let chunk = JobChunk(seq: 7, text: String(repeating: "word ", count: 24), tokens: 200, elapsedMs: 1600)
                return { _ = try chunk.seal(requestID: job, to: client, from: worker, conversationKey: key) }
            },
            BenchCase(name: "chunk.seal.24tokens+conversation_key") {
                let (worker, client, _, job) = parties()
                let chunk = JobChunk(seq: 7, text: String(repeating: "word ", count: 24), tokens: 200, elapsedMs: 1600)
                return { _ = try chunk.seal(requestID: job, to: client, from: worker) }
            },
            // One operation = one second of generation at 120 tokens/s; the
            // share of a core it takes is 1 / (operations per second).
            BenchCase(name: "chunk.stream.1s@120tok/s") {
                let (worker, client, key, job) = parties()
                var second: UInt64 = 0
                return {
                    var coalescer = ChunkCoalescer()
                    var chunks = 0
                    for i in 0..<120 {
                        let at = second * 1000 + UInt64(i) * 1000 / 120
                        if let due = coalescer.flush(at: at) {
                            _ = try due.seal(requestID: job, to: client, from: worker, conversationKey: key)
                            chunks += 1
                        }
                        if let chunk = coalescer.append("word ", at: at) {
                            _ = try chunk.seal(requestID: job, to: client, from: worker, conversationKey: key)
                            chunks += 1
                        }
                    }
                    if let last = coalescer.finish() {
                        _ = try last.seal(requestID: job, to: client, from: worker, conversationKey: key)
                        chunks += 1
                    }
                    guard (4...7).contains(chunks) else { throw BenchFailure("chunk.stream: \(chunks) chunks in a second") }
                    second += 1
                }
            },
        ]
    }

    static func parties() -> (SecretKey, XOnlyPublicKey, [UInt8], String) {
        let worker = SecretKey.generate(), client = SecretKey.generate().xOnlyPublicKey
        return (worker, client, NIP44.conversationKey(worker, client), Hex.encode(SecureRandom.bytes(32)))
    }
}
