import Foundation
import LoomProtocol

/// The names `loom worker` reads from `.env`, the environment and flags.
/// `.env.example` documents each one; `DotEnv` warns about names not listed
/// here, which are almost always typos that would otherwise be ignored.
public enum ConfigurationKey {
    public static let privateKey = "NOSTR_PRIVATE_KEY"
    public static let privateKeyFile = "NOSTR_PRIVATE_KEY_FILE"
    public static let relays = "NOSTR_RELAYS"
    public static let mints = "CASHU_MINT_URL"
    public static let blossom = "BLOSSOM_SERVER_URL"
    public static let maxConcurrentJobs = "MAX_CONCURRENT_JOBS"
    public static let maxQueue = "MAX_QUEUE"
    public static let minJobDuration = "MIN_JOB_DURATION"
    public static let maxJobDuration = "MAX_JOB_DURATION"
    public static let pricePerSecond = "PRICE_PER_SECOND"
    public static let priceUnit = "PRICE_UNIT"
    public static let whitelist = "WHITELIST"
    public static let whitelistEnabled = "WHITELIST_ENABLED"
    public static let whitelistFile = "WHITELIST_FILE"
    public static let geohash = "GEOHASH"
    public static let ollamaURL = "OLLAMA_URL"
    public static let openAIURL = "OPENAI_URL"
    public static let backend = "INFERENCE_BACKEND"
    public static let models = "MODELS"
    public static let dataDir = "DATA_DIR"
    public static let workerName = "WORKER_NAME"
    public static let workerAbout = "WORKER_ABOUT"
    public static let advertisementTTL = "ADVERTISEMENT_TTL"
    public static let shutdownGrace = "SHUTDOWN_GRACE"
    public static let metricsPort = "METRICS_PORT"
    public static let mintTimeout = "MINT_TIMEOUT"
    public static let earlyAdmission = "EARLY_ADMISSION"
    public static let paymentDeadline = "PAYMENT_DEADLINE"
    public static let retryInterval = "RETRY_INTERVAL"
    public static let maxOutputTokens = "MAX_OUTPUT_TOKENS"
    public static let contextLength = "CONTEXT_LENGTH"
    public static let keepAlive = "KEEP_ALIVE"
    public static let maxInputBytes = "MAX_INPUT_BYTES"

    public static let all: Set<String> = Set([
        privateKey, privateKeyFile, relays, mints, blossom, maxConcurrentJobs, maxQueue, minJobDuration,
        maxJobDuration, pricePerSecond, priceUnit, whitelist, whitelistEnabled, whitelistFile, geohash,
        ollamaURL, openAIURL, backend, models, dataDir, workerName, workerAbout, advertisementTTL,
        shutdownGrace, metricsPort, mintTimeout, earlyAdmission, paymentDeadline, retryInterval, maxOutputTokens, contextLength,
        keepAlive,
        maxInputBytes,
    ]).union(ServingSettings.Key.all)
}

/// Reads typed values out of the merged key/value map. Every failure names
/// the key and says what to write instead.
struct ConfigurationReader {
    let values: [String: String]

    /// The trimmed value; an empty value counts as unset (`KEY=` in `.env`).
    func string(_ key: String) -> String? {
        guard let raw = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        return raw
    }

    func list(_ key: String) -> [String] {
        var seen = Set<String>()
        return (string(key) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    func number(
        _ key: String, default fallback: UInt64, range: ClosedRange<UInt64>, unit: String = ""
    ) throws(ConfigurationError) -> UInt64 {
        guard let text = string(key) else { return fallback }
        let example = "\(fallback)\(unit)"
        guard text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let n = UInt64(text) else {
            throw ConfigurationError(
                key: key, problem: "\"\(text)\" is not a whole number", fix: "write digits only, e.g. \(key)=\(example)")
        }
        guard range.contains(n) else {
            throw ConfigurationError(
                key: key, problem: "\(n) is out of range", fix: "use a value from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    func bool(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(key) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            throw ConfigurationError(
                key: key, problem: "\"\(text)\" is not true or false", fix: "write \(key)=true or \(key)=false")
        }
    }

    /// Absolute URLs with one of `schemes` and a host, e.g. relays (`ws`, `wss`).
    func urls(_ key: String, schemes: [String], example: String) throws(ConfigurationError) -> [String] {
        let items = list(key)
        for item in items { try Self.checkURL(item, key: key, schemes: schemes, example: example) }
        return items
    }

    static func checkURL(_ text: String, key: String, schemes: [String], example: String) throws(ConfigurationError) {
        let allowed = schemes.joined(separator: " or ")
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw ConfigurationError(
                key: key, problem: "\"\(text)\" is not a URL", fix: "write a full \(allowed) URL such as \(example)")
        }
        guard schemes.contains(scheme) else {
            throw ConfigurationError(
                key: key, problem: "\"\(text)\" uses \(scheme)://, not \(allowed)",
                fix: "write a \(allowed) URL such as \(example)")
        }
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(key: key, problem: "\"\(text)\" has no host", fix: "write a full URL such as \(example)")
        }
    }
}

// The keys grouped by what they decide; `load` calls these in order.
extension WorkerConfiguration {
    static func readAccess(
        _ r: ConfigurationReader, into config: inout WorkerConfiguration,
        warnings: inout [String]
    ) throws(ConfigurationError) {
        typealias K = ConfigurationKey
        config.whitelistEnabled = try r.bool(K.whitelistEnabled, default: true)
        config.whitelistFile = URL(fileURLWithPath: r.string(K.whitelistFile) ?? "whitelist")
        config.whitelistLists = try r.list(K.whitelist).enumerated().map { index, text throws(ConfigurationError) in
            do { return try ListAddress(naddr: text).naddr } catch {
                // The value is not repeated: a secret key pasted here by mistake must not reach the logs.
                throw ConfigurationError(
                    key: K.whitelist, problem: "entry \(index + 1) is not a list address: \(error)",
                    fix: "paste the naddr1… that `loom whitelist publish <name>` printed")
            }
        }
        if let geohash = r.string(K.geohash) {
            let alphabet = Set("0123456789bcdefghjkmnpqrstuvwxyz")
            guard (1...12).contains(geohash.count), geohash.lowercased().allSatisfy(alphabet.contains) else {
                throw ConfigurationError(
                    key: K.geohash, problem: "\"\(geohash)\" is not a geohash of 1 to 12 characters",
                    fix: "use base32 geohash characters (0-9, b-z without a, i, l, o); 4 or 5 are plenty, e.g. u0vs")
            }
            config.geohash = geohash.lowercased()
        }
        if !config.whitelistEnabled {
            warnings.append("\(K.whitelistEnabled)=false: anyone on Nostr can send this worker jobs")
        } else if config.whitelistLists.isEmpty, let file = config.whitelistFile,
            !FileManager.default.fileExists(atPath: file.path)
        {
            warnings.append(
                "the whitelist is empty (\(file.path) does not exist and \(K.whitelist) is not set): nobody can use this worker until keys are added"
            )
        }
    }

    static func readBackend(_ r: ConfigurationReader, into config: inout WorkerConfiguration) throws(ConfigurationError) {
        typealias K = ConfigurationKey
        let name = (r.string(K.backend) ?? "ollama").lowercased()
        guard let backend = BackendKind(rawValue: name) else {
            throw ConfigurationError(
                key: K.backend, problem: "\"\(name)\" is not a backend",
                fix: "write ollama (Ollama's API) or openai (llama.cpp server, vLLM, LM Studio)")
        }
        config.backend = backend
        // Each backend has its own URL key so switching INFERENCE_BACKEND back and forth needs no other edit.
        let (key, fallback) =
            backend == .ollama ? (K.ollamaURL, "http://127.0.0.1:11434") : (K.openAIURL, "http://127.0.0.1:8080")
        let text = r.string(key) ?? fallback
        try ConfigurationReader.checkURL(text, key: key, schemes: ["http", "https"], example: fallback)
        config.backendURL = URL(string: text)!
        let models = r.list(K.models)
        if let bad = models.first(where: { $0.contains(where: \.isWhitespace) || $0.count > 200 }) {
            throw ConfigurationError(
                key: K.models, problem: "\"\(bad)\" is not a model name",
                fix: "list model names as the backend reports them, e.g. llama3.2:3b")
        }
        config.models = models.isEmpty ? nil : Set(models)
    }

    /// What the backend is asked to do for every job, whatever the request says.
    static func readGeneration(_ r: ConfigurationReader, into config: inout WorkerConfiguration) throws(ConfigurationError) {
        typealias K = ConfigurationKey
        config.maxOutputTokens = Int(
            try r.number(
                K.maxOutputTokens, default: UInt64(OptionLimits.defaultMaxOutputTokens),
                range: 1...1_000_000))
        if r.string(K.contextLength) != nil {
            config.contextLength = Int(try r.number(K.contextLength, default: 4096, range: 256...1_048_576))
        }
        if let text = r.string(K.keepAlive) {
            guard let seconds = keepAliveSeconds(text) else {
                throw ConfigurationError(
                    key: K.keepAlive, problem: "\"\(text)\" is not a duration",
                    fix:
                        "write seconds or a number with s, m or h (e.g. 300, 5m, 1h); 0 unloads at once, -1 keeps the model loaded"
                )
            }
            config.keepAliveSeconds = seconds
        }
    }

    /// `300`, `30s`, `5m`, `1h`, `0`, `-1`: whole seconds, minutes or hours, as Ollama's own `keep_alive` reads them.
    static func keepAliveSeconds(_ text: String) -> Int? {
        var body = Substring(text)
        var scale = 1
        if let last = body.last, let unit = ([Character("s"): 1, "m": 60, "h": 3600] as [Character: Int])[last] {
            scale = unit
            body = body.dropLast()
        }
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(body), n <= 10_000_000 else {
            return nil
        }
        return (negative ? -n : n) * scale
    }

    static func readIdentity(_ r: ConfigurationReader, into config: inout WorkerConfiguration) throws(ConfigurationError) {
        typealias K = ConfigurationKey
        if let name = r.string(K.workerName) {
            guard name.count <= 64 else {
                throw ConfigurationError(
                    key: K.workerName, problem: "\(name.count) characters is too long", fix: "use at most 64 characters")
            }
            config.name = name
        }
        if let about = r.string(K.workerAbout) {
            guard about.count <= 1000 else {
                throw ConfigurationError(
                    key: K.workerAbout, problem: "\(about.count) characters is too long", fix: "use at most 1000 characters")
            }
            config.about = about
        }
    }
}
