import Foundation
import LoomProtocol
import Nostr
import Secp256k1

// A first reading of the keys: enough to run a worker. The configuration work
// replaces this file with the full rules (.env, units, permission warnings).
extension WorkerConfiguration {
    static func parse(_ values: [String: String]) throws(ConfigurationError) -> (WorkerConfiguration, warnings: [String]) {
        func value(_ key: String) -> String? {
            values[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func list(_ key: String) -> [String] {
            (value(key) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func required(_ key: String, _ fix: String) throws(ConfigurationError) -> [String] {
            let items = list(key)
            guard !items.isEmpty else { throw ConfigurationError(key: key, problem: "not set", fix: fix) }
            return items
        }
        func number(_ key: String, default fallback: UInt64) throws(ConfigurationError) -> UInt64 {
            guard let text = value(key) else { return fallback }
            guard let n = UInt64(text) else {
                throw ConfigurationError(key: key, problem: "\"\(text)\" is not a whole number", fix: "write digits only, e.g. \(fallback)")
            }
            return n
        }
        guard let nsec = value("NOSTR_PRIVATE_KEY") else {
            throw ConfigurationError(key: "NOSTR_PRIVATE_KEY", problem: "not set", fix: "create a key with `loom keygen` and put the nsec here")
        }
        let key: SecretKey
        do { key = try NIP19.secretKey(from: nsec) } catch {
            throw ConfigurationError(key: "NOSTR_PRIVATE_KEY", problem: "not an nsec or 64 hex characters", fix: "create a key with `loom keygen`")
        }
        let relays = try required("NOSTR_RELAYS", "list relay URLs, e.g. wss://relay.example.com")
        let mints = try required("CASHU_MINT_URL", "list the mints whose ecash you accept")
        let blossom = try required("BLOSSOM_SERVER_URL", "list Blossom servers for outputs").compactMap(URL.init(string:))
        let msat = try number("PRICE_PER_SECOND", default: 1) * (value("PRICE_UNIT") == "msat" ? 1 : 1000)
        let rate = Rate(msatPerSecond: msat, minSeconds: try number("MIN_JOB_DURATION", default: 1),
                        maxSeconds: try number("MAX_JOB_DURATION", default: 300))
        do { try rate.validate() } catch {
            throw ConfigurationError(key: "PRICE_PER_SECOND", problem: "\(error)", fix: "check PRICE_PER_SECOND, MIN_JOB_DURATION and MAX_JOB_DURATION")
        }
        let dataDir = value("DATA_DIR").map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".loom")
        var config = WorkerConfiguration(
            secretKey: key, relays: relays, mints: mints, blossomServers: blossom, rate: rate,
            maxConcurrentJobs: Int(try number("MAX_CONCURRENT_JOBS", default: 1)), dataDirectory: dataDir)
        config.whitelistEnabled = value("WHITELIST_ENABLED")?.lowercased() != "false"
        config.whitelistFile = URL(fileURLWithPath: value("WHITELIST_FILE") ?? "whitelist")
        config.whitelistLists = list("WHITELIST")
        config.geohash = value("GEOHASH")
        if let url = value("OLLAMA_URL").flatMap(URL.init(string:)) { config.backendURL = url }
        if let kind = value("INFERENCE_BACKEND") {
            guard let parsed = BackendKind(rawValue: kind) else {
                throw ConfigurationError(key: "INFERENCE_BACKEND", problem: "\"\(kind)\" is not a backend", fix: "use ollama or openai")
            }
            config.backend = parsed
        }
        let models = list("MODELS")
        if !models.isEmpty { config.models = Set(models) }
        if let name = value("WORKER_NAME") { config.name = name }
        return (config, [])
    }
}
