import ArgumentParser
import Foundation

/// `loom-bench`: throughput of the hot paths, in operations per second, and
/// the worker's own costs against real servers. Its own executable, beside
/// `loom` and never inside it, so the shipped binary carries only what users
/// run; it drives the same library code. Build with `-c release` for numbers
/// worth recording (`make bench`); docs/PERFORMANCE.md keeps them with the command.
@main
struct LoomBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loom-bench",
        abstract: "Measure the speed of signing, verifying and encrypting on one core (the Cashu proof work also on all cores)."
    )

    @Option(help: "Seconds to spend on each benchmark.") var seconds: Double = 2
    @Option(help: "Run only the benchmarks whose name contains this text.") var filter: String?
    @Flag(help: "Print JSON lines.") var json = false

    func run() async throws {
        var results: [BenchResult] = []
        for bench in BenchCases.all where filter.map({ bench.name.contains($0) }) ?? true {
            results.append(try bench.measure(seconds: seconds))
            // Proof checks parallelise across a token's proofs; show what the machine does with all cores.
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if bench.name.hasPrefix("cashu.proof"), cores > 1 {
                results.append(try bench.measureParallel(seconds: seconds, threads: cores))
            }
        }
        if filter.map({ "blossom".contains($0) || $0.contains("blossom") }) ?? true {
            results += try await BlossomBench.run(seconds: seconds)
        }
        if filter.map({ "inference".contains($0) || $0.contains("inference") }) ?? true {
            results += try await InferenceBench.run(seconds: seconds)
        }
        if filter.map({ "worker".contains($0) || $0.contains("worker") }) ?? true {
            results += try await WorkerBench.run(seconds: seconds)
        }
        for result in results {
            print(json ? try result.jsonLine() : result.textLine())
        }
    }
}
