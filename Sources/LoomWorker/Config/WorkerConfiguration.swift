import Foundation
import LoomProtocol
import Secp256k1

/// Everything `loom worker` runs on, already checked. Built from `.env`, the
/// environment and flags by `WorkerConfiguration.load` (WorkerConfiguration+Load.swift);
/// tests build it directly.
public struct WorkerConfiguration: Sendable {
    public enum BackendKind: String, Sendable, CaseIterable { case ollama, openai }

    /// The worker's Nostr identity; also the key P2PK payments are locked to.
    public var secretKey: SecretKey
    public var relays: [String]
    /// Accepted mints, normalised (no trailing slash). Change is paid from the mint the client paid with.
    public var mints: [String]
    /// Blossom servers for outputs, tried in order.
    public var blossomServers: [URL]
    /// Price, minimum and maximum billed seconds.
    public var rate: Rate
    public var maxConcurrentJobs: Int
    /// Jobs waiting beyond the running ones before new requests are refused as busy; nil = unbounded.
    public var maxQueue: Int?
    /// Whitelist on (the default): only keys in `whitelistFile` and the `whitelistLists` may use the worker.
    public var whitelistEnabled: Bool
    public var whitelistFile: URL?
    /// NIP-51 lists (naddr) followed live on the relays.
    public var whitelistLists: [String]
    public var geohash: String?
    public var backend: BackendKind
    public var backendURL: URL
    /// Models the worker offers; nil = every model the backend reports.
    public var models: Set<String>?
    /// The worker's wallet and job journal live here.
    public var dataDirectory: URL
    public var name: String
    public var about: String
    /// Lifetime of an advertisement (NIP-40); republished every third of it.
    public var advertisementTTL: Duration
    /// How long running jobs may finish after SIGTERM before they are stopped and billed for what ran.
    public var shutdownGrace: Duration
    /// Loopback port for Prometheus `/metrics` and `/status`; nil = off.
    public var metricsPort: Int?
    /// Requests larger than this (content and tags, `RequestOpener.approximateSize`)
    /// are dropped before any other work; advertised as `max_request_bytes`
    /// so clients check before paying.
    public var maxRequestBytes: Int
    /// The largest input blob (`input_blob.blob_size`) the worker fetches
    /// from its Blossom servers and holds in memory; 0 = no input blobs.
    /// Advertised as `max_input_bytes`.
    public var maxInputBytes: UInt64
    /// How long one mint request may take; no answer by then is an unknown outcome.
    public var mintTimeout: Duration
    /// Start a job paid with proofs locked to this worker alone, with DLEQ
    /// proofs and no early refund, before the mint has swapped them
    /// (`EarlyAdmission`); the swap runs beside the job. Advertised as
    /// `early_admission`. The worker risks at most `mintTimeout` of backend
    /// time per job whose swap then fails.
    public var earlyAdmission = true
    /// A job whose payment the mint confirms later than this after the
    /// request arrived (or after the request's own expiration, if sooner)
    /// is not run: the client has given up. It is refunded in full.
    public var paymentDeadline: Duration
    /// How often work the mint or the relays left unfinished is retried while serving.
    public var retryInterval: Duration
    /// The most tokens one job may generate: requests asking more are
    /// refused, requests naming no limit get this one.
    public var maxOutputTokens: Int
    /// Context window every job runs with (Ollama `num_ctx`); nil = the
    /// model's default. The operator's alone: a client choosing it could make
    /// Ollama reload the model, or run out of memory, for everyone.
    public var contextLength: Int?
    /// How long Ollama keeps a model loaded after a job, in seconds
    /// (negative = for ever, 0 = unload at once); nil = Ollama's default.
    public var keepAliveSeconds: Int?
    /// Test hook: the named step of paying or settling SIGKILLs the process
    /// (the wallet's points and `worker-after-…`, docs/ARCHITECTURE.md).
    /// `loom worker run` sets it from `LOOM_CRASH_AT`; nil in real use.
    public var crashPoint: String? = nil
    /// When to serve (`SERVE_WHEN` and its conditions); the default serves always.
    public var serving = ServingSettings()

    /// 8 MiB: a long document or chat history, well within a worker's memory.
    public static let defaultMaxInputBytes: UInt64 = 8 << 20

    /// The caps a request's options are checked against.
    public var optionLimits: OptionLimits { OptionLimits(maxOutputTokens: maxOutputTokens) }

    public init(
        secretKey: SecretKey, relays: [String], mints: [String], blossomServers: [URL], rate: Rate,
        maxConcurrentJobs: Int = 1, maxQueue: Int? = 16, whitelistEnabled: Bool = true,
        whitelistFile: URL? = nil, whitelistLists: [String] = [], geohash: String? = nil,
        backend: BackendKind = .ollama, backendURL: URL = URL(string: "http://127.0.0.1:11434")!,
        models: Set<String>? = nil, dataDirectory: URL, name: String = "loom worker", about: String = "",
        advertisementTTL: Duration = .seconds(300), shutdownGrace: Duration = .seconds(30),
        metricsPort: Int? = nil, maxRequestBytes: Int = RequestOpener.defaultMaxEventBytes,
        maxInputBytes: UInt64 = WorkerConfiguration.defaultMaxInputBytes, mintTimeout: Duration = .seconds(30),
        paymentDeadline: Duration = .seconds(120), retryInterval: Duration = .seconds(60),
        maxOutputTokens: Int = OptionLimits.defaultMaxOutputTokens, contextLength: Int? = nil, keepAliveSeconds: Int? = nil
    ) {
        self.secretKey = secretKey
        self.relays = relays
        self.mints = mints
        self.blossomServers = blossomServers
        self.rate = rate
        self.maxConcurrentJobs = maxConcurrentJobs
        self.maxQueue = maxQueue
        self.whitelistEnabled = whitelistEnabled
        self.whitelistFile = whitelistFile
        self.whitelistLists = whitelistLists
        self.geohash = geohash
        self.backend = backend
        self.backendURL = backendURL
        self.models = models
        self.dataDirectory = dataDirectory
        self.name = name
        self.about = about
        self.advertisementTTL = advertisementTTL
        self.shutdownGrace = shutdownGrace
        self.metricsPort = metricsPort
        self.maxRequestBytes = maxRequestBytes
        self.maxInputBytes = maxInputBytes
        self.mintTimeout = mintTimeout
        self.paymentDeadline = paymentDeadline
        self.retryInterval = retryInterval
        self.maxOutputTokens = maxOutputTokens
        self.contextLength = contextLength
        self.keepAliveSeconds = keepAliveSeconds
    }
}
