import Dispatch
import Foundation

extension BenchCase {
    /// The same operation on every core at once, each thread with its own
    /// state: the rate a batch of independent items (the proofs of one token,
    /// say) can be checked at when spread over the machine. Reported next to
    /// the one-core figure, never instead of it.
    func measureParallel(seconds: Double, threads: Int) throws -> BenchResult {
        let prepared = try (0..<threads).map { _ in try setup() }
        for op in prepared { for _ in 0..<100 { try op() } }
        let ops = Operations(prepared)
        let counts = Counts(threads)
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        let clock = ContinuousClock()
        let start = clock.now
        DispatchQueue.concurrentPerform(iterations: threads) { index in
            var n = 0
            while clock.now - start < budget {
                for _ in 0..<64 { try? ops[index]() }
                n += 64
            }
            counts.set(index, n)
        }
        let elapsed = clock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = counts.total
        return BenchResult(
            name: "\(name) ×\(threads) threads", iterations: total, seconds: secs,
            opsPerSecond: Double(total) / secs)
    }
}

/// Each thread calls only its own operation, so sharing the array is safe.
private struct Operations: @unchecked Sendable {
    let all: [() throws -> Void]
    init(_ all: [() throws -> Void]) { self.all = all }
    subscript(_ i: Int) -> () throws -> Void { all[i] }
}

/// Per-thread iteration counts, each slot written by one thread only.
private final class Counts: @unchecked Sendable {
    private var values: [Int]
    private let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: 0, count: n) }
    func set(_ i: Int, _ v: Int) { lock.lock(); values[i] = v; lock.unlock() }
    var total: Int { lock.lock(); defer { lock.unlock() }; return values.reduce(0, +) }
}
