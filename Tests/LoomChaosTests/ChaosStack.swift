import Foundation
import LoomTestSupport
import Secp256k1

/// The real parts of one chaos run: relay, Nutshell mint with input fees
/// behind the fault proxy, `loom blossom serve`, the Ollama stub, and
/// `loom worker run` restarted on one data directory. Logs and the worker's
/// data stay in `.build/chaos/seed-N` so a failing seed can be read.
final class ChaosStack: @unchecked Sendable {
    let seed: UInt64
    let root: URL
    let relay: TestRelay
    let mint: TestServer
    let proxy: MintProxy
    let blossom: TestBlossom
    let ollama: TestOllama
    let workerKey = SecretKey.generate()
    let timeline: Timeline
    // Only the test's driver tasks touch it, one at a time (the killer, then the settler).
    private(set) var worker: WorkerProcess?

    /// The worker's mint timeout (`MINT_TIMEOUT`), shorter than the default
    /// 30 s so a run is short; the proxy's delay outlasts it, to be a timeout at all.
    static let mintTimeout: Double = ProcessInfo.processInfo.environment["LOOM_CHAOS_MINT_TIMEOUT"].flatMap(Double.init) ?? 10

    /// Rates for POSTs while faults are on; GETs get a quarter.
    static let rates = MintProxy.Rates(drop: 0.06, error: 0.06, delay: 0.03, stall: 0.03, garbage: 0.06, outage: 0.02)

    var dataDir: URL { root.appendingPathComponent("worker") }
    var workerLog: URL { root.appendingPathComponent("worker.log") }

    init(seed: UInt64) async throws {
        self.seed = seed
        root = TestServer.packageRoot.appendingPathComponent(".build/chaos/seed-\(seed)")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        timeline = Timeline(file: root.appendingPathComponent("timeline.log"))
        let reply = Array(repeating: "word", count: 400).joined(separator: " ")
        async let relay = TestRelay(maxEventSize: 262_144)
        async let mint = TestMint.start(inputFeePpk: 100)
        async let ollama = TestOllama(arguments: ["--tokens-per-second", String(ChaosPlan.tokensPerSecond), "--reply", reply])
        async let blossom = TestBlossom()
        self.relay = try await relay
        self.mint = try await mint
        self.ollama = try await ollama
        self.blossom = try await blossom
        proxy = try await MintProxy(
            upstream: self.mint.httpURL, seed: seed, rates: Self.rates,
            delaySeconds: Self.mintTimeout + 4, outageSeconds: 3,
            log: root.appendingPathComponent("proxy.log"))
    }

    var workerEnvironment: [String: String] {
        [
            "NOSTR_PRIVATE_KEY": workerKey.hex, "NOSTR_RELAYS": relay.url, "CASHU_MINT_URL": proxy.url,
            "BLOSSOM_SERVER_URL": blossom.url, "OLLAMA_URL": ollama.url, "DATA_DIR": dataDir.path,
            "WHITELIST_ENABLED": "false", "PRICE_PER_SECOND": "1", "MIN_JOB_DURATION": "1", "MAX_JOB_DURATION": "60",
            "MAX_CONCURRENT_JOBS": "2", "MAX_QUEUE": "16", "SHUTDOWN_GRACE": "5",
            "MINT_TIMEOUT": String(Int(Self.mintTimeout)), "RETRY_INTERVAL": "5", "LOOM_LOG_LEVEL": "debug",
        ]
    }

    /// The worker's wallet folder (`<data>/wallets/<mint>`): the one `loom wallet --data-dir` needs.
    var walletDirectory: URL? {
        let wallets = dataDir.appendingPathComponent("wallets")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: wallets.path)) ?? []
        return names.first.map { wallets.appendingPathComponent($0) }
    }

    /// Starts the worker; with `waitUntilServing` returns once it says so
    /// (recovery at start can take a mint timeout or two under faults).
    func startWorker(waitUntilServing limit: Duration? = nil) async throws {
        let before = WorkerProcess.servingCount(workerLog)
        let process = try WorkerProcess(environment: workerEnvironment, directory: root, log: workerLog)
        worker = process
        timeline.mark("start")
        guard let limit else { return }
        let deadline = ContinuousClock.now + limit
        while WorkerProcess.servingCount(workerLog) <= before {
            guard process.isRunning else { throw ChaosFailure("worker exited at start:\n\(tail(workerLog))") }
            guard ContinuousClock.now < deadline else {
                throw ChaosFailure("worker not serving after \(limit):\n\(tail(workerLog))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        timeline.note("worker serving")
    }

    /// SIGKILL, as a crash: no goodbye, nothing flushed.
    func killWorker() async {
        guard let worker else { return }
        worker.signal(SIGKILL)
        _ = await worker.exited()
        timeline.mark("SIGKILL")
    }

    /// SIGTERM: the graceful stop (queue refunded, running jobs get the grace).
    func stopWorker() async -> Bool {
        guard let worker, worker.isRunning else { return true }
        worker.signal(SIGTERM)
        let stopped = await worker.exited(within: .seconds(90))
        timeline.mark(stopped ? "SIGTERM, stopped" : "SIGTERM, still running after 90 s: SIGKILL")
        if !stopped { await killWorker() }
        return stopped
    }

    func tail(_ file: URL, lines: Int = 40) -> String {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

struct ChaosFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
