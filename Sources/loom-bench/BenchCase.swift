import Foundation

/// One operation measured on one thread: prepared once, then repeated for the time given.
struct BenchCase {
    let name: String
    /// Prepares the state once, then returns the operation to repeat.
    let setup: () throws -> () throws -> Void

    func measure(seconds: Double) throws -> BenchResult {
        let op = try setup()
        for _ in 0..<100 { try op() }  // warm caches and lazy statics
        let clock = ContinuousClock()
        var iterations = 0
        let start = clock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        // Batches of 64 keep the clock out of the measured loop.
        while clock.now - start < budget {
            for _ in 0..<64 { try op() }
            iterations += 64
        }
        let elapsed = clock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return BenchResult(name: name, iterations: iterations, seconds: secs, opsPerSecond: Double(iterations) / secs)
    }
}
