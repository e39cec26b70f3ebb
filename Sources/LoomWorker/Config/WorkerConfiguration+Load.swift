import Cashu
import Foundation
import LoomProtocol
import Nostr
import Secp256k1

/// A configuration key that is missing or wrong, with the fix. `loom worker`
/// prints it and stops before touching the network.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `.env` / environment key at fault, e.g. `PRICE_PER_SECOND`.
    public let key: String
    public let problem: String
    public let fix: String

    public init(key: String, problem: String, fix: String) {
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(key): \(problem). Fix: \(fix)" }
}

extension WorkerConfiguration {
    /// Reads the worker's settings. `values` is the merge of `.env` (lowest),
    /// the environment and command-line flags (highest), keyed by the names in
    /// `.env.example` (see `DotEnv.merged`). Returns the configuration and
    /// warnings to print (for example a key file readable by others).
    public static func load(_ values: [String: String]) throws(ConfigurationError) -> (WorkerConfiguration, warnings: [String]) {
        typealias K = ConfigurationKey
        let r = ConfigurationReader(values: values)
        var warnings: [String] = []

        let key = try secretKey(r, warnings: &warnings)
        let relays = try r.urls(K.relays, schemes: ["wss", "ws"], example: "wss://relay.example.com")
        guard !relays.isEmpty else {
            throw ConfigurationError(
                key: K.relays, problem: "not set", fix: "list relay URLs, comma-separated, e.g. wss://relay.example.com")
        }
        var seenMints = Set<String>()
        let mints = try r.urls(K.mints, schemes: ["https", "http"], example: "https://mint.example.com")
            .map(Token.normalizeMintURL).filter { seenMints.insert($0).inserted }
        guard !mints.isEmpty else {
            throw ConfigurationError(
                key: K.mints, problem: "not set", fix: "list the mints whose ecash you accept, e.g. https://mint.example.com")
        }
        let blossom = try r.urls(K.blossom, schemes: ["https", "http"], example: "https://blossom.example.com")
        guard !blossom.isEmpty else {
            throw ConfigurationError(key: K.blossom, problem: "not set", fix: "list one or more Blossom servers for job outputs")
        }

        let rate = try rate(r)
        let concurrency = try r.number(K.maxConcurrentJobs, default: 1, range: 1...1024)
        let maxQueue: Int? =
            try r.string(K.maxQueue)?.lowercased() == "unlimited"
            ? nil : Int(r.number(K.maxQueue, default: 16, range: 0...100_000))

        var config = WorkerConfiguration(
            secretKey: key, relays: relays, mints: mints, blossomServers: blossom.compactMap(URL.init(string:)), rate: rate,
            maxConcurrentJobs: Int(concurrency), maxQueue: maxQueue, dataDirectory: dataDirectory(r))
        try readAccess(r, into: &config, warnings: &warnings)
        try readBackend(r, into: &config)
        try readIdentity(r, into: &config)
        try readGeneration(r, into: &config)
        config.advertisementTTL = .seconds(try r.number(K.advertisementTTL, default: 300, range: 30...86_400))
        config.shutdownGrace = .seconds(try r.number(K.shutdownGrace, default: 30, range: 0...86_400))
        config.mintTimeout = .seconds(try r.number(K.mintTimeout, default: 30, range: 1...600))
        config.earlyAdmission = try r.bool(K.earlyAdmission, default: true)
        config.paymentDeadline = .seconds(try r.number(K.paymentDeadline, default: 120, range: 5...86_400))
        config.retryInterval = .seconds(try r.number(K.retryInterval, default: 60, range: 1...3_600))
        config.maxInputBytes = try r.number(
            K.maxInputBytes, default: WorkerConfiguration.defaultMaxInputBytes, range: 0...(256 << 20))
        config.serving = try ServingSettings.load(r)
        if r.string(K.metricsPort) != nil {
            config.metricsPort = Int(try r.number(K.metricsPort, default: 9464, range: 1...65_535))
        }
        return (config, warnings)
    }

    /// NOSTR_PRIVATE_KEY or NOSTR_PRIVATE_KEY_FILE, never both: two sources
    /// for one identity is a mistake waiting to publish under the wrong key.
    private static func secretKey(_ r: ConfigurationReader, warnings: inout [String]) throws(ConfigurationError) -> SecretKey {
        typealias K = ConfigurationKey
        let text: String
        let source: String
        switch (r.string(K.privateKey), r.string(K.privateKeyFile)) {
        case (.some, .some):
            throw ConfigurationError(
                key: K.privateKey, problem: "both \(K.privateKey) and \(K.privateKeyFile) are set",
                fix: "keep one of them (the file is safer: chmod 600 it)")
        case (.none, .none):
            throw ConfigurationError(
                key: K.privateKey, problem: "not set",
                fix: "create a key with `loom keygen --output worker.nsec` and set \(K.privateKeyFile)=worker.nsec")
        case (.some(let value), .none):
            text = value
            source = K.privateKey
        case (.none, .some(let path)):
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(
                    key: K.privateKeyFile, problem: "cannot read \(path)",
                    fix: "point it at the file `loom keygen --output` wrote")
            }
            if let warning = DotEnv.permissionWarning(path: path) { warnings.append(warning) }
            text = contents
            source = K.privateKeyFile
        }
        do { return try NIP19.secretKey(from: text) } catch {
            // The value is a secret: the message never repeats it.
            throw ConfigurationError(
                key: source, problem: "not an nsec1… or 64 hex characters",
                fix: "create a key with `loom keygen` and copy its nsec")
        }
    }

    /// PRICE_PER_SECOND in PRICE_UNIT, kept as msat/s: `sat` allows up to
    /// three decimals (0.2 sat/s = 200 msat/s), `msat` whole numbers.
    private static func rate(_ r: ConfigurationReader) throws(ConfigurationError) -> Rate {
        typealias K = ConfigurationKey
        let unit = (r.string(K.priceUnit) ?? "sat").lowercased()
        guard unit == "sat" || unit == "msat" else {
            throw ConfigurationError(key: K.priceUnit, problem: "\"\(unit)\" is not a unit", fix: "write sat or msat")
        }
        let text = r.string(K.pricePerSecond) ?? "1"
        guard let msat = millisats(text, unit: unit), msat >= 1, msat <= Rate.maxMsatPerSecond else {
            let fix =
                unit == "sat"
                ? "write a price in sat per second with at most three decimals, from 0.001 to 1000000, e.g. 0.5"
                : "write a whole number of msat per second from 1 to \(Rate.maxMsatPerSecond), e.g. 500"
            throw ConfigurationError(key: K.pricePerSecond, problem: "\"\(text)\" is not a usable price in \(unit)/s", fix: fix)
        }
        let minimum = try r.number(K.minJobDuration, default: 1, range: 0...Rate.maxDurationSeconds, unit: "")
        let maximum = try r.number(K.maxJobDuration, default: 300, range: 1...Rate.maxDurationSeconds, unit: "")
        guard minimum <= maximum else {
            throw ConfigurationError(
                key: K.minJobDuration, problem: "\(minimum) s is more than \(K.maxJobDuration) (\(maximum) s)",
                fix: "lower \(K.minJobDuration) or raise \(K.maxJobDuration)")
        }
        return Rate(msatPerSecond: msat, minSeconds: minimum, maxSeconds: maximum)
    }

    /// Exact decimal reading, no floating point: "0.25" sat → 250 msat.
    static func millisats(_ text: String, unit: String) -> UInt64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let whole = UInt64(parts[0].isEmpty ? "0" : String(parts[0]))
        else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        if unit == "msat" { return fraction.isEmpty && !parts[0].isEmpty ? whole : nil }
        guard fraction.count <= 3, !(parts[0].isEmpty && fraction.isEmpty) else { return nil }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return nil }
        let padded = fraction.padding(toLength: 3, withPad: "0", startingAt: 0)
        return scaled + (UInt64(padded) ?? 0)
    }

    private static func dataDirectory(_ r: ConfigurationReader) -> URL {
        guard let path = r.string(ConfigurationKey.dataDir) else {
            return DataDirectory.fallback(environment: r.values)
        }
        return DataDirectory.named(path)
    }
}
