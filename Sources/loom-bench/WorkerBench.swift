import Foundation
import Inference
import LoomJSON

/// The worker's own costs, measured in process against real servers
/// (`scripts/bench_worker.sh` starts them and sets the variables):
///
/// - admission: a paid request handed to the worker's relay connection →
///   the backend request, next to the mint swap a wallet makes for the same token;
/// - streaming: tokens/s of a job through the worker next to the same
///   request read straight from the backend;
/// - spam: the cost of a request from a key outside the whitelist, and a
///   running job's tokens/s while 2,000 of them arrive each second.
///
/// Requests go in through `RelayPool.inject` (the relay connection's own
/// path after the socket), because nostr-relay cannot send 2,000 events a second.
enum WorkerBench {
    struct Setup {
        let relay: String, mint: String, blossom: URL
        let backend: any InferenceBackend
        let model: String
        /// Options that make one generation long and the same every time.
        let streamOptions: [String: JSONValue]
    }

    static func setup() async throws -> Setup? {
        let env = ProcessInfo.processInfo.environment
        guard let relay = env["LOOM_BENCH_RELAY"], let mint = env["LOOM_BENCH_MINT"],
            let blossom = env["LOOM_BENCH_BLOSSOM"].flatMap(URL.init(string:))
        else {
            FileHandle.standardError.write(Data("worker: skipped, run scripts/bench_worker.sh (it starts the servers)\n".utf8))
            return nil
        }
        let backend: any InferenceBackend
        let options: [String: JSONValue]
        if let openai = env["LOOM_BENCH_OPENAI_URL"] {
            backend = OpenAIBackend(baseURL: openai)
            // llama.cpp's ignore_eos: every run generates exactly this many tokens.
            options = ["num_predict": 256, "ignore_eos": true, "temperature": 0.7]
        } else {
            backend = OllamaBackend(baseURL: env["LOOM_BENCH_OLLAMA_URL"] ?? OllamaBackend.defaultURL)
            options = [:]  // the stub streams its whole reply
        }
        var model = env["LOOM_BENCH_MODEL"] ?? ""
        if model.isEmpty { model = try await backend.models().first?.name ?? "default" }
        return Setup(relay: relay, mint: mint, blossom: blossom, backend: backend, model: model, streamOptions: options)
    }

    static func run(seconds: Double) async throws -> [BenchResult] {
        guard let setup = try await setup() else { return [] }
        let rounds = max(3, Int(seconds.rounded()))
        let bench = try await WorkerUnderTest(setup)
        defer { try? FileManager.default.removeItem(at: bench.root) }
        var results: [BenchResult] = []

        var bare: [Double] = [], swap: [Double] = [], admission: [Double] = []
        var early: [(frame: Double, opened: Double)] = []
        for _ in 0..<rounds * 4 {
            // Interleaved, so the mint's warming up and any neighbour fall on all four alike.
            bare += try await bench.bareSwapTimes(rounds: 1)
            swap += try await bench.swapTimes(rounds: 1)
            admission += try await bench.admissionTimes(rounds: 1).map(\.frame)
            early += try await bench.admissionTimes(rounds: 1, locked: true)
        }
        results.append(millis("worker.mint swap, bare POST /v1/swap (median ms)", bare))
        results.append(millis("worker.mint swap, wallet receive (median ms)", swap))
        results.append(millis("worker.admission, request → backend (median ms)", admission))
        results.append(millis("worker.early admission, locked payment, request → backend (median ms)", early.map(\.frame)))
        results.append(millis("worker.early admission, request opened → backend (median ms)", early.map(\.opened)))
        results.append(
            BenchResult(
                name: "worker.admission − bare swap (median ms)", iterations: admission.count, seconds: 0,
                opsPerSecond: (median(admission) - median(bare)) * 1000))

        // Signed beforehand: signing is the spammer's cost, not the worker's.
        let spam = try bench.strangerFrames(8_000, subscription: bench.intake)
        var direct: [Double] = [], through: [Double] = [], spammed: [Double] = []
        for round in 0..<rounds {
            // Interleaved, so a neighbour's load falls on all three alike, and
            // in a rotating order, so none always runs first (llama.cpp's
            // prompt cache, for one, helps whichever runs second).
            for which in (0..<3).map({ ($0 + round) % 3 }) {
                switch which {
                case 0: direct.append(try await bench.directTokensPerSecond())
                case 1: through.append(try await bench.jobTokensPerSecond())
                default: spammed.append(try await bench.jobTokensPerSecond(spam: (spam, 2000)))
                }
            }
        }
        let cost = try await bench.strangerCost(count: 20_000)
        await bench.stop()

        results.append(rate("worker.stream, backend direct (median tokens/s)", direct))
        results.append(rate("worker.stream, through the worker (median tokens/s)", through))
        // Ratios within a round, then their median: a round's three runs share the machine's state.
        results.append(
            BenchResult(
                name: "worker.stream, worker/direct (median of rounds, %)", iterations: rounds, seconds: 0,
                opsPerSecond: median(zip(through, direct).map { $0 / $1 }) * 100))
        results.append(rate("worker.stream, 2,000 strangers/s (median tokens/s)", spammed))
        results.append(
            BenchResult(
                name: "worker.stream, cost of the spam (median of rounds, %)", iterations: rounds, seconds: 0,
                opsPerSecond: (1 - median(zip(spammed, through).map { $0 / $1 })) * 100))
        results.append(
            BenchResult(
                name: "worker.stranger request, gated (µs)", iterations: 20_000, seconds: cost.gated * 20_000,
                opsPerSecond: cost.gated * 1e6))
        results.append(
            BenchResult(
                name: "worker.stranger request, signature checked (µs)", iterations: 20_000,
                seconds: cost.verified * 20_000, opsPerSecond: cost.verified * 1e6))
        return results
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func millis(_ name: String, _ seconds: [Double]) -> BenchResult {
        BenchResult(name: name, iterations: seconds.count, seconds: seconds.reduce(0, +), opsPerSecond: median(seconds) * 1000)
    }

    static func rate(_ name: String, _ values: [Double]) -> BenchResult {
        BenchResult(name: name, iterations: values.count, seconds: 0, opsPerSecond: median(values))
    }
}
