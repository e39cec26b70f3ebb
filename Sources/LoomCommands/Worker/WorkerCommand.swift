import ArgumentParser
import Dispatch
import Foundation
import Inference
import Logging
import LoomWorker

/// `loom worker …`: run the worker, or look at its journal.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the worker beside Ollama, or show its jobs and earnings.",
        subcommands: [WorkerRun.self, WorkerStatus.self, WorkerWatch.self]
    )
}

/// Flags that override the environment (`.env` keys of the same meaning).
struct WorkerOverrides: ParsableArguments {
    @Option(help: "Data directory for the wallet and the job journal (DATA_DIR).")
    var dataDir: String?

    @Option(name: .customLong("relay"), help: "A relay URL; repeat for several (NOSTR_RELAYS).")
    var relays: [String] = []

    @Option(name: .customLong("mint"), help: "An accepted mint URL; repeat for several (CASHU_MINT_URL).")
    var mints: [String] = []

    @Option(name: .customLong("blossom"), help: "A Blossom server URL for outputs; repeat for several (BLOSSOM_SERVER_URL).")
    var blossom: [String] = []

    @Option(help: "The inference backend's URL (OLLAMA_URL).")
    var ollamaURL: String?

    @Option(name: .customLong("model"), help: "Offer only this model; repeat for several (MODELS).")
    var models: [String] = []

    /// The flags given, keyed as `.env.example` names them (they override .env and the environment).
    func flags() -> [String: String] {
        var values: [String: String] = [:]
        if let dataDir { values["DATA_DIR"] = dataDir }
        if !relays.isEmpty { values["NOSTR_RELAYS"] = relays.joined(separator: ",") }
        if !mints.isEmpty { values["CASHU_MINT_URL"] = mints.joined(separator: ",") }
        if !blossom.isEmpty { values["BLOSSOM_SERVER_URL"] = blossom.joined(separator: ",") }
        if let ollamaURL { values["OLLAMA_URL"] = ollamaURL }
        if !models.isEmpty { values["MODELS"] = models.joined(separator: ",") }
        return values
    }
}

struct WorkerRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve prepaid jobs until SIGTERM or SIGINT, then stop gracefully.",
        discussion: """
            Settings come from the environment (see .env.example); flags override them. \
            On SIGTERM/SIGINT the worker stops taking jobs, refunds the queue, and gives \
            running jobs SHUTDOWN_GRACE to finish before billing them for what ran.
            """
    )
    @OptionGroup var overrides: WorkerOverrides

    @Option(name: .customLong("env-file"), help: "The .env file to read (default: ./.env when present).")
    var envFile: String?

    func run() async throws {
        // A ConfigurationError names the key and the fix; no usage text is printed under it.
        let (values, fileWarnings) = try ConfigValues.merged(envFile: envFile, flags: overrides.flags())
        let (configuration, warnings) = try WorkerConfiguration.load(values)
        for warning in fileWarnings + warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        var logger = Logger(label: "loom.worker")
        // The worker is a daemon: info by default, unless LOOM_LOG_LEVEL says otherwise.
        logger.logLevel = ProcessInfo.processInfo.environment["LOOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let backend: any InferenceBackend = switch configuration.backend {
        case .ollama: OllamaBackend(baseURL: configuration.backendURL.absoluteString)
        case .openai: OpenAIBackend(baseURL: configuration.backendURL.absoluteString)
        }
        let service = try WorkerService(configuration: configuration, backend: backend, version: LoomVersion.string, logger: logger)
        let signals = Self.onTermination { Task { await service.shutdown() } }
        defer { signals.forEach { $0.cancel() } }
        let log = logger
        try await service.run { port in log.info("metrics on loopback", metadata: ["url": "http://127.0.0.1:\(port)/metrics"]) }
        logger.info("worker stopped")
    }

    /// SIGTERM and SIGINT start a graceful shutdown instead of killing the process.
    static func onTermination(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}

struct WorkerStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the journal: jobs by state, the queue, earnings and recent jobs."
    )
    @Option(help: "Data directory holding jobs.sqlite. Default: $DATA_DIR, else ~/.loom.")
    var dataDir: String?

    @Option(help: "How many recent jobs to list.")
    var limit = 10

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let directory = dataDir ?? ProcessInfo.processInfo.environment["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".loom").path
        let path = directory + "/jobs.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no job journal at \(path): pass --data-dir, or run `loom worker run` first")
        }
        let journal = try JobJournal(path: path)
        let recent = try journal.all(limit: max(limit, 0))
        let earned = try journal.earnings()
        let counts = try journal.countsByState()
        let waiting = try journal.waiting()
        struct Job: Encodable {
            let id: String, state: String, model: String, paid_sat: UInt64, charged_sat: UInt64?, change_sat: UInt64?
            let elapsed_ms: UInt64, reason: String?, received_at: Int64, published: Bool, waiting: String?
        }
        struct Out: Encodable {
            let states: [String: Int]; let jobs_done: Int; let earnings_sat: UInt64; let recent: [Job]
            /// Jobs not final yet because a mint has not answered (payment or change).
            let waiting: [Job]
        }
        func row(_ r: JobRecord) -> Job {
            Job(id: r.id, state: r.state.rawValue, model: r.model, paid_sat: r.paidSat, charged_sat: r.chargedSat,
                change_sat: r.changeSat, elapsed_ms: r.elapsedMs, reason: r.reasonCode, received_at: r.receivedAt,
                published: r.published, waiting: r.waiting)
        }
        let out = Out(states: counts, jobs_done: earned.jobs, earnings_sat: earned.sat, recent: recent.map(row), waiting: waiting.map(row))
        if json { return print(try JSONOutput.string(out)) }
        print("jobs done: \(earned.jobs), earned: \(earned.sat) sat")
        print("queued: \(counts["queued", default: 0]), running: \(counts["running", default: 0])")
        print("by state: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if !waiting.isEmpty {
            print("waiting on the mint: \(waiting.count) (retried with backoff while the worker runs; `loom doctor` checks the mint)")
            for job in out.waiting { print("  \(job.id.prefix(16))  \(job.state)  paid \(job.paid_sat) sat  \(job.waiting ?? "")") }
        }
        for job in out.recent {
            let money = job.charged_sat.map { " charged \($0) sat, change \(job.change_sat ?? 0) sat" } ?? ""
            print("\(job.id.prefix(16))  \(job.state)\(job.reason.map { " (\($0))" } ?? "")  \(job.model)  paid \(job.paid_sat) sat\(money)")
        }
    }
}
