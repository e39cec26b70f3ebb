import Foundation
import LoomProtocol

/// What the operator's dashboard (`GET /api/dashboard`) shows, built by one
/// pure function from what the worker knows at that moment, so every number
/// on the page has a unit test. Nothing here is a prompt, an output, a token
/// or a key: the page is loopback-only, but a screenshot travels.
public struct DashboardSnapshot: Sendable, Hashable, Codable {
    public var generatedAt: Int64
    public var serving: ServingState
    public var running: Int
    public var queued: Int
    public var rejected: Int
    public var dropped: Int
    /// Tokens per second summed over the jobs running now; nil while none reports a rate.
    public var tokensPerSecond: Double?
    public var earnings: Earnings
    public var jobs: [JobRow]
    public var wallets: [WalletRow]
    /// How to take the earnings out (the first wallet's command; each wallet row has its own).
    public var meltHint: String
    public var health: [HealthRow]

    /// Whether the worker takes jobs now, and why, in words for the operator.
    public struct ServingState: Sendable, Hashable, Codable {
        /// `accepting`, `running`, `draining` (PROTOCOL.md's `accepting: false` while draining)
        /// or `not-serving` (the serving policy or a pause holds the worker off).
        public var state: String
        public var reason: String
    }

    public struct Earnings: Sendable, Hashable, Codable {
        /// Over every settled job in the journal.
        public var totalSat: UInt64
        public var jobs: Int
        public var hour: EarningsSeries
        public var day: EarningsSeries
        public var week: EarningsSeries
    }

    /// One row of the jobs table. `id` is shortened: enough to find the job in `loom worker status`.
    public struct JobRow: Sendable, Hashable, Codable {
        public var id: String
        public var state: String
        public var model: String
        public var seconds: Double
        public var paidSat: UInt64
        public var chargedSat: UInt64?
        public var tokens: UInt64?
        public var tokensPerSecond: Double?
        public var receivedAt: Int64
    }

    public struct WalletRow: Sendable, Hashable, Codable {
        public var mint: String
        public var balanceSat: UInt64?
        public var error: String?
        /// `loom wallet melt` pointed at this wallet's folder; filled in by the builder.
        public var melt: String = ""
    }

    /// One thing the worker depends on. `status`: `ok`, `degraded`, `down` or `unknown`.
    public struct HealthRow: Sendable, Hashable, Codable {
        public var component: String
        public var name: String
        public var status: String
        public var detail: String
    }
}

/// What the worker hands the builder: rows and facts, no live objects.
public struct DashboardInputs: Sendable {
    public var now: Int64
    public var accepting: Bool
    /// Why the serving policy holds the worker off (`paused`, `user-active`, …); nil while it serves.
    public var heldOff: String?
    public var metrics: WorkerMetrics
    /// Recent journal rows, newest first.
    public var recent: [JobRecord]
    /// Settled jobs of the last week (finish time, sats charged).
    public var settled: [SettledJob]
    /// Progress of the jobs running now, by job id (the journal lags by up to a second).
    public var progress: [String: JobProgress]
    public var wallets: [DashboardSnapshot.WalletRow]
    public var relays: [RelayHealth]
    public var mints: [String]
    /// Jobs waiting on a mint that did not answer, by mint.
    public var waitingOnMint: [String: Int]
    public var blossomServers: [String]
    public var backend: BackendHealth
    public var dataDirectory: String

    public init(
        now: Int64, accepting: Bool, metrics: WorkerMetrics, recent: [JobRecord] = [], settled: [SettledJob] = [],
        progress: [String: JobProgress] = [:], wallets: [DashboardSnapshot.WalletRow] = [],
        relays: [RelayHealth] = [], mints: [String] = [], waitingOnMint: [String: Int] = [:],
        blossomServers: [String] = [], backend: BackendHealth = .init(), dataDirectory: String = "",
        heldOff: String? = nil
    ) {
        self.now = now
        self.accepting = accepting
        self.heldOff = heldOff
        self.metrics = metrics
        self.recent = recent
        self.settled = settled
        self.progress = progress
        self.wallets = wallets
        self.relays = relays
        self.mints = mints
        self.waitingOnMint = waitingOnMint
        self.blossomServers = blossomServers
        self.backend = backend
        self.dataDirectory = dataDirectory
    }
}

public struct SettledJob: Sendable, Hashable {
    public var finishedAt: Int64
    public var chargedSat: UInt64
    public init(finishedAt: Int64, chargedSat: UInt64) {
        self.finishedAt = finishedAt
        self.chargedSat = chargedSat
    }
}

/// A running job's counters as its last progress tick left them.
public struct JobProgress: Sendable, Hashable {
    public var elapsedMs: UInt64
    public var tokens: UInt64
    public init(elapsedMs: UInt64, tokens: UInt64) {
        self.elapsedMs = elapsedMs
        self.tokens = tokens
    }
    public var tokensPerSecond: Double? { elapsedMs > 0 ? Double(tokens) * 1000 / Double(elapsedMs) : nil }
}

public struct BackendHealth: Sendable, Hashable {
    public var url: String
    public var models: [String]
    /// The last model listing's error, nil when it answered.
    public var error: String?
    /// The offered models loaded now (what the offer calls `warm`); nil when the backend cannot tell.
    public var warm: [String]?
    public init(url: String = "", models: [String] = [], error: String? = nil, warm: [String]? = nil) {
        self.url = url
        self.models = models
        self.error = error
        self.warm = warm
    }
}

extension DashboardSnapshot {
    public init(_ inputs: DashboardInputs) {
        let m = inputs.metrics
        generatedAt = inputs.now
        serving = Self.serving(
            accepting: inputs.accepting, heldOff: inputs.heldOff, running: m.running, queued: m.queued)
        running = m.running
        queued = m.queued
        rejected = m.rejected
        dropped = m.dropped
        let rates = inputs.progress.values.compactMap(\.tokensPerSecond)
        tokensPerSecond = rates.isEmpty ? nil : rates.reduce(0, +)
        earnings = Earnings(
            totalSat: m.earnedSat,
            jobs: inputs.metrics.jobsByState.filter { JobState(rawValue: $0.key)?.hasBill == true }
                .map(\.value).reduce(0, +),
            hour: EarningsSeries(.hour, jobs: inputs.settled, now: inputs.now),
            day: EarningsSeries(.day, jobs: inputs.settled, now: inputs.now),
            week: EarningsSeries(.week, jobs: inputs.settled, now: inputs.now))
        jobs = inputs.recent.map { JobRow($0, progress: inputs.progress[$0.id]) }
        wallets = inputs.wallets.map { wallet in
            var row = wallet
            row.melt = Self.meltCommand(mint: wallet.mint, dataDirectory: inputs.dataDirectory)
            return row
        }
        meltHint = wallets.first?.melt ?? Self.meltCommand(mint: "<mint>", dataDirectory: inputs.dataDirectory)
        health = Self.health(inputs)
    }

    /// contrib/README.md's "Taking earnings out": the wallet lives in
    /// `$DATA_DIR/wallets/<mint folder>`, and works while the worker runs.
    static func meltCommand(mint: String, dataDirectory: String) -> String {
        let data = dataDirectory.isEmpty ? "$DATA_DIR" : dataDirectory
        let folder = mint == "<mint>" ? "<mint folder>" : PaymentDesk.folderName(mint)
        return "loom wallet melt <bolt11-invoice> --mint \(mint) --data-dir \(data)/wallets/\(folder)"
    }

    /// The one place that says whether the worker serves and why. It knows
    /// today only what the worker knows: taking jobs or draining for a stop.
    /// A serving policy (idle, schedule, pause) adds its states and reasons here.
    static func serving(accepting: Bool, heldOff: String? = nil, running: Int, queued: Int) -> ServingState {
        if accepting, let heldOff {
            return ServingState(
                state: "not-serving",
                reason: "serving policy: \(heldOff)"
                    + (running > 0 ? "; \(running) running job(s) finish within SHUTDOWN_GRACE" : "")
                    + " (`loom worker status` has the details)")
        }
        if !accepting {
            return ServingState(
                state: "draining",
                reason: running > 0
                    ? "stopping: \(running) running job(s) finish within SHUTDOWN_GRACE, no new jobs"
                    : "stopping: no new jobs")
        }
        if running > 0 {
            return ServingState(state: "running", reason: "\(running) job(s) running, \(queued) queued")
        }
        return ServingState(state: "accepting", reason: "idle, advertised and waiting for jobs")
    }
}

extension DashboardSnapshot.JobRow {
    init(_ record: JobRecord, progress: JobProgress?) {
        let ending = record.ending.flatMap { try? JSONDecoder().decode(Ending.self, from: Data($0.utf8)) }
        let elapsedMs = progress?.elapsedMs ?? max(ending?.elapsedMs ?? 0, record.elapsedMs)
        id = String(record.id.prefix(12))
        state = record.state.rawValue
        model = record.model
        seconds = Double(elapsedMs) / 1000
        paidSat = record.paidSat
        chargedSat = record.chargedSat
        tokens = progress?.tokens ?? ending?.usage?.completionTokens
        tokensPerSecond = progress?.tokensPerSecond ?? ending?.usage?.tokensPerSecond
        receivedAt = record.receivedAt
    }
}
