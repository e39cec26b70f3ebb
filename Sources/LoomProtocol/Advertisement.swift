import Cashu

/// A worker's offer (kind 10100): what it runs, what it costs, where to pay
/// and where to find it. `accepting: false` is the offline replacement a
/// worker publishes when it stops, so clients stop choosing it at once
/// instead of waiting for the expiration.
public struct Advertisement: Sendable, Hashable, Codable {
    public var name: String
    public var about: String
    public var backends: [Backend]
    public var pricing: Rate
    /// Mints whose ecash the worker takes, normalised (no trailing slash).
    public var mints: [String]
    /// Blossom servers the worker uploads outputs to.
    public var blossom: [String]
    /// Relays the worker reads requests from and publishes to.
    public var relays: [String]
    public var capacity: Capacity
    public var hardware: Hardware
    public var software: Software
    public var accepting: Bool
    /// The largest request the worker reads (content plus tags, as
    /// `RequestOpener.approximateSize` counts); larger ones are dropped
    /// unanswered. Nil: an older worker; assume `assumedMaxRequestBytes`.
    public var maxRequestBytes: Int?
    /// The largest input blob (`input_blob.blob_size`) the worker fetches
    /// from its `blossom` servers. Nil or 0: it takes no input blobs.
    public var maxInputBytes: UInt64?
    /// Models loaded in the backend's memory now (Ollama's `/api/ps`; an
    /// OpenAI-compatible server's own model): a job on one starts without a
    /// load. Nil: the worker does not say (older workers). A hint only, as
    /// fresh as the offer; a subset of `models`.
    public var warm: [String]? = nil
    /// True: a payment locked to the worker alone with DLEQ proofs starts
    /// its job before the mint's swap (`EarlyAdmission`). Nil or false:
    /// every payment is swapped first. Readers that do not know the field
    /// lose nothing: they pay as before.
    public var earlyAdmission: Bool? = nil
    /// Written only as the `g` tag (relays can filter on it), never in content.
    public var geohash: String? = nil

    public init(
        name: String, about: String = "", backends: [Backend], pricing: Rate, mints: [String],
        blossom: [String], relays: [String], capacity: Capacity, hardware: Hardware,
        software: Software, accepting: Bool = true, geohash: String? = nil,
        maxRequestBytes: Int? = nil, maxInputBytes: UInt64? = nil
    ) {
        self.name = name
        self.about = about
        self.backends = backends
        self.pricing = pricing
        self.mints = mints.map(Token.normalizeMintURL)
        self.blossom = blossom
        self.relays = relays
        self.capacity = capacity
        self.hardware = hardware
        self.software = software
        self.accepting = accepting
        self.geohash = geohash
        self.maxRequestBytes = maxRequestBytes
        self.maxInputBytes = maxInputBytes
    }

    enum CodingKeys: String, CodingKey {
        case name, about, backends, pricing, mints, blossom, relays, capacity, hardware, software, accepting
        case maxRequestBytes = "max_request_bytes", maxInputBytes = "max_input_bytes", warm
        case earlyAdmission = "early_admission"
    }

    /// True when the offer says `model` is loaded now.
    public func isWarm(_ model: String) -> Bool { (warm?.contains(model) ?? false) && models.contains(model) }

    /// What a client assumes of a worker that does not advertise
    /// `max_request_bytes`: the limit loom workers had before they said
    /// (64 KiB), below the protocol's 100,000, so a client never sends more
    /// than an older worker reads.
    public static let assumedMaxRequestBytes = 65_536

    /// The request-size limit to check against before paying.
    public var requestLimit: Int { maxRequestBytes ?? Self.assumedMaxRequestBytes }

    /// The input-blob limit; 0 when the worker takes none.
    public var inputLimit: UInt64 { maxInputBytes ?? 0 }

    /// An inference backend and the models it serves (e.g. Ollama's `/api/tags`).
    public struct Backend: Sendable, Hashable, Codable {
        public var name: String
        public var models: [String]
        public init(name: String, models: [String]) { self.name = name; self.models = models }
    }

    public struct Capacity: Sendable, Hashable, Codable {
        public var maxConcurrent: Int
        public var running: Int
        public var queued: Int
        /// Queue length beyond which requests are refused as `worker-busy`; nil = unbounded.
        public var maxQueue: Int?

        public init(maxConcurrent: Int, running: Int = 0, queued: Int = 0, maxQueue: Int? = nil) {
            self.maxConcurrent = maxConcurrent
            self.running = running
            self.queued = queued
            self.maxQueue = maxQueue
        }

        enum CodingKeys: String, CodingKey {
            case maxConcurrent = "max_concurrent", running, queued, maxQueue = "max_queue"
        }

        /// True when a new job would start at once.
        public var hasFreeSlot: Bool { running < maxConcurrent && queued == 0 }
    }

    /// Deliberately coarse: enough to pick a worker, too little to fingerprint one.
    public struct Hardware: Sendable, Hashable, Codable {
        /// A short family name such as `apple-m2`, `x86_64`, `arm64`; no model numbers or serials.
        public var chipFamily: String
        public var memoryTier: MemoryTier

        public init(chipFamily: String, memoryTier: MemoryTier) {
            self.chipFamily = chipFamily
            self.memoryTier = memoryTier
        }

        enum CodingKeys: String, CodingKey { case chipFamily = "chip_family", memoryTier = "memory_tier" }
    }

    public struct Software: Sendable, Hashable, Codable {
        public var name: String
        public var version: String
        public init(name: String = "loom", version: String) { self.name = name; self.version = version }
    }

    /// Every model of every backend, in order, without repeats.
    public var models: [String] {
        var seen = Set<String>()
        return backends.flatMap(\.models).filter { seen.insert($0).inserted }
    }

    /// The same offer marked offline, with nothing running or queued.
    public func offline() -> Advertisement {
        var copy = self
        copy.accepting = false
        copy.capacity.running = 0
        copy.capacity.queued = 0
        return copy
    }
}

/// Installed memory in broad steps. A machine reports the largest tier it
/// reaches; an operator cannot be told apart from others with the same tier.
public enum MemoryTier: String, Sendable, Hashable, Codable, CaseIterable {
    case under8 = "<8GB"
    case gb8 = "8GB"
    case gb16 = "16GB"
    case gb32 = "32GB"
    case gb64 = "64GB"
    case gb128 = "128GB"
    case gb256OrMore = "256GB+"

    /// The tier for `bytes` of memory. Linux reports total memory less what
    /// the kernel reserves (a 16 GB box shows about 15.5 GiB), so a machine
    /// counts for a tier from 7/8 of it.
    public init(bytes: UInt64) {
        let gib = Double(bytes) / Double(1 << 30)
        let steps: [(Double, MemoryTier)] = [
            (256, .gb256OrMore), (128, .gb128), (64, .gb64), (32, .gb32), (16, .gb16), (8, .gb8),
        ]
        self = steps.first { gib >= $0.0 * 7 / 8 }?.1 ?? .under8
    }
}
