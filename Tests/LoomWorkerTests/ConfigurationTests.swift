import Foundation
import LoomProtocol
import LoomTestFixtures
import LoomWorker
import Nostr
import Secp256k1
import Testing

@Suite struct ConfigurationTests {
    static let key = SecretKey.generate()
    static let listAddress = NIP19Entity.naddr(
        identifier: "loom-workers", pubkey: SecretKey.generate().xOnlyPublicKey,
        kind: 30000, relays: []
    ).encoded

    /// A complete, valid configuration using every key.
    static var full: [String: String] {
        [
            "NOSTR_PRIVATE_KEY": key.nsec,
            "NOSTR_RELAYS": "wss://relay.example.com, ws://127.0.0.1:7447",
            "CASHU_MINT_URL": "https://mint.example.com/, http://127.0.0.1:3338",
            "BLOSSOM_SERVER_URL": "https://blossom.example.com",
            "MAX_CONCURRENT_JOBS": "2",
            "MAX_QUEUE": "8",
            "MIN_JOB_DURATION": "5",
            "MAX_JOB_DURATION": "600",
            "PRICE_PER_SECOND": "2.5",
            "PRICE_UNIT": "sat",
            "WHITELIST": listAddress,
            "WHITELIST_ENABLED": "true",
            "WHITELIST_FILE": "/tmp/loom-whitelist-test",
            "GEOHASH": "u0vs",
            "OLLAMA_URL": "http://127.0.0.1:11434",
            "INFERENCE_BACKEND": "ollama",
            "MODELS": "llama3.2:3b,qwen2.5:7b",
            "DATA_DIR": "/tmp/loom-data",
            "WORKER_NAME": "studio-m2",
            "WORKER_ABOUT": "Mac Studio",
            "ADVERTISEMENT_TTL": "120",
            "SHUTDOWN_GRACE": "10",
            "METRICS_PORT": "9464",
        ]
    }

    static func rejection(_ changes: [String: String?]) -> ConfigurationError? {
        var values = full
        for (k, v) in changes { values[k] = v }
        do {
            _ = try WorkerConfiguration.load(values)
            return nil
        } catch {
            return error
        }
    }

    @Test func fullValidExample() throws {
        let (config, _) = try WorkerConfiguration.load(Self.full)
        #expect(config.secretKey == Self.key)
        #expect(config.relays == ["wss://relay.example.com", "ws://127.0.0.1:7447"])
        #expect(config.mints == ["https://mint.example.com", "http://127.0.0.1:3338"])
        #expect(config.blossomServers == [URL(string: "https://blossom.example.com")!])
        #expect(config.maxConcurrentJobs == 2)
        #expect(config.maxQueue == 8)
        #expect(config.rate == Rate(msatPerSecond: 2500, minSeconds: 5, maxSeconds: 600))
        #expect(config.whitelistLists == [Self.listAddress])
        #expect(config.whitelistEnabled)
        #expect(config.whitelistFile?.path == "/tmp/loom-whitelist-test")
        #expect(config.geohash == "u0vs")
        #expect(config.backend == .ollama)
        #expect(config.backendURL == URL(string: "http://127.0.0.1:11434")!)
        #expect(config.models == ["llama3.2:3b", "qwen2.5:7b"])
        #expect(config.dataDirectory.path == "/tmp/loom-data")
        #expect(config.name == "studio-m2")
        #expect(config.about == "Mac Studio")
        #expect(config.advertisementTTL == .seconds(120))
        #expect(config.shutdownGrace == .seconds(10))
        #expect(config.metricsPort == 9464)
    }

    @Test func defaults() throws {
        let (config, _) = try WorkerConfiguration.load([
            "NOSTR_PRIVATE_KEY": Self.key.hex, "NOSTR_RELAYS": "wss://r.example", "CASHU_MINT_URL": "https://m.example",
            "BLOSSOM_SERVER_URL": "https://b.example",
        ])
        #expect(config.rate == Rate(msatPerSecond: 1000, minSeconds: 1, maxSeconds: 300))
        #expect(config.maxConcurrentJobs == 1 && config.maxQueue == 16)
        #expect(config.whitelistEnabled && config.whitelistFile?.lastPathComponent == "whitelist")
        #expect(config.backendURL == URL(string: "http://127.0.0.1:11434")!)
        #expect(config.models == nil && config.metricsPort == nil && config.geohash == nil)
    }

    @Test func priceUnits() throws {
        #expect(
            try WorkerConfiguration.load(Self.full.merging(["PRICE_PER_SECOND": "250", "PRICE_UNIT": "msat"]) { $1 }).0.rate
                .msatPerSecond == 250)
        #expect(try WorkerConfiguration.load(Self.full.merging(["PRICE_PER_SECOND": "0.001"]) { $1 }).0.rate.msatPerSecond == 1)
        #expect(try WorkerConfiguration.load(Self.full.merging(["PRICE_PER_SECOND": ".5"]) { $1 }).0.rate.msatPerSecond == 500)
    }

    @Test func unlimitedQueueAndDuplicateMints() throws {
        let (config, _) = try WorkerConfiguration.load(
            Self.full.merging([
                "MAX_QUEUE": "unlimited", "CASHU_MINT_URL": "https://m.example/,https://m.example",
            ]) { $1 })
        #expect(config.maxQueue == nil)
        #expect(config.mints == ["https://m.example"])
    }

    /// `.env.example` documents every key, and as shipped (plus a key) it runs.
    @Test func envExampleDocumentsEveryKeyAndLoads() throws {
        let url = Repository.root.appendingPathComponent(".env.example")
        let text = try String(contentsOf: url, encoding: .utf8)
        for key in ConfigurationKey.all {
            #expect(text.contains("\n\(key)=") || text.contains("# \(key)="), "\(key) is not documented in .env.example")
        }
        let (values, problems) = DotEnv.parse(text)
        #expect(problems.isEmpty)
        var filled = values
        filled["NOSTR_PRIVATE_KEY"] = Self.key.nsec
        _ = try WorkerConfiguration.load(filled)
    }

    @Test func openAIBackendUsesItsOwnURL() throws {
        let (config, _) = try WorkerConfiguration.load(
            Self.full.merging(["INFERENCE_BACKEND": "openai", "OPENAI_URL": "http://127.0.0.1:8081"]) { $1 })
        #expect(config.backend == .openai && config.backendURL == URL(string: "http://127.0.0.1:8081")!)
    }

    @Test func keyFromFileWarnsWhenOthersCanReadIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loom-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.key.nsec.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let (config, warnings) = try WorkerConfiguration.load(
            Self.full.merging(["NOSTR_PRIVATE_KEY": "", "NOSTR_PRIVATE_KEY_FILE": path]) { $1 })
        #expect(config.secretKey == Self.key)
        #expect(warnings.contains { $0.contains(path) && $0.contains("chmod 600") })
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let (_, quiet) = try WorkerConfiguration.load(
            Self.full.merging(["NOSTR_PRIVATE_KEY": "", "NOSTR_PRIVATE_KEY_FILE": path]) { $1 })
        #expect(!quiet.contains { $0.contains(path) })
    }

    @Test func whitelistDisabledWarns() throws {
        let (config, warnings) = try WorkerConfiguration.load(Self.full.merging(["WHITELIST_ENABLED": "false"]) { $1 })
        #expect(!config.whitelistEnabled)
        #expect(warnings.contains { $0.contains("anyone") })
    }

    // MARK: one test per rejection

    func expectRejected(
        _ changes: [String: String?], key: String, mentioning words: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error = Self.rejection(changes) else {
            Issue.record("accepted \(changes)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.key == key, sourceLocation: sourceLocation)
        #expect(!error.fix.isEmpty, sourceLocation: sourceLocation)
        for word in words {
            #expect(error.description.contains(word), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func missingKey() { expectRejected(["NOSTR_PRIVATE_KEY": nil], key: "NOSTR_PRIVATE_KEY", mentioning: "loom keygen") }
    @Test func malformedKey() {
        expectRejected(["NOSTR_PRIVATE_KEY": "nsec1notakey"], key: "NOSTR_PRIVATE_KEY", mentioning: "nsec")
        #expect(!(Self.rejection(["NOSTR_PRIVATE_KEY": "nsec1notakey"])?.description.contains("notakey") ?? true))
    }
    @Test func keyAndKeyFileBoth() {
        expectRejected(["NOSTR_PRIVATE_KEY_FILE": "/tmp/x"], key: "NOSTR_PRIVATE_KEY", mentioning: "both")
    }
    @Test func unreadableKeyFile() {
        expectRejected(
            ["NOSTR_PRIVATE_KEY": nil, "NOSTR_PRIVATE_KEY_FILE": "/nonexistent/worker.nsec"], key: "NOSTR_PRIVATE_KEY_FILE")
    }
    @Test func missingRelays() { expectRejected(["NOSTR_RELAYS": nil], key: "NOSTR_RELAYS", mentioning: "wss://") }
    @Test func relayWithHTTPScheme() {
        expectRejected(["NOSTR_RELAYS": "https://relay.example.com"], key: "NOSTR_RELAYS", mentioning: "https", "wss")
    }
    @Test func relayWithoutHost() { expectRejected(["NOSTR_RELAYS": "wss://"], key: "NOSTR_RELAYS") }
    @Test func missingMint() { expectRejected(["CASHU_MINT_URL": ""], key: "CASHU_MINT_URL") }
    @Test func mintWithWebSocketScheme() {
        expectRejected(["CASHU_MINT_URL": "wss://mint.example.com"], key: "CASHU_MINT_URL", mentioning: "http")
    }
    @Test func mintNotAURL() { expectRejected(["CASHU_MINT_URL": "mint.example.com"], key: "CASHU_MINT_URL") }
    @Test func missingBlossom() { expectRejected(["BLOSSOM_SERVER_URL": nil], key: "BLOSSOM_SERVER_URL") }
    @Test func blossomWithFTPScheme() {
        expectRejected(["BLOSSOM_SERVER_URL": "ftp://files.example.com"], key: "BLOSSOM_SERVER_URL", mentioning: "ftp")
    }
    @Test func concurrencyZero() { expectRejected(["MAX_CONCURRENT_JOBS": "0"], key: "MAX_CONCURRENT_JOBS", mentioning: "1") }
    @Test func concurrencyNotANumber() {
        expectRejected(["MAX_CONCURRENT_JOBS": "two"], key: "MAX_CONCURRENT_JOBS", mentioning: "whole number")
    }
    @Test func inputBlobLimit() throws {
        let (plain, _) = try WorkerConfiguration.load(Self.full)
        #expect(plain.maxInputBytes == 8 << 20 && plain.maxRequestBytes == 100_000, "the protocol's request limit")
        var values = Self.full
        values["MAX_INPUT_BYTES"] = "0"
        #expect(try WorkerConfiguration.load(values).0.maxInputBytes == 0)
        expectRejected(["MAX_INPUT_BYTES": "1GB"], key: "MAX_INPUT_BYTES", mentioning: "digits")
        expectRejected(["MAX_INPUT_BYTES": "268435457"], key: "MAX_INPUT_BYTES")
    }
    @Test func negativeQueue() { expectRejected(["MAX_QUEUE": "-1"], key: "MAX_QUEUE") }
    @Test func durationWithUnit() { expectRejected(["MAX_JOB_DURATION": "5m"], key: "MAX_JOB_DURATION", mentioning: "digits") }
    @Test func maxDurationZero() { expectRejected(["MAX_JOB_DURATION": "0"], key: "MAX_JOB_DURATION") }
    @Test func maxDurationTooLong() { expectRejected(["MAX_JOB_DURATION": "1000001"], key: "MAX_JOB_DURATION") }
    @Test func minAboveMax() {
        expectRejected(
            ["MIN_JOB_DURATION": "700", "MAX_JOB_DURATION": "600"], key: "MIN_JOB_DURATION", mentioning: "MAX_JOB_DURATION")
    }
    @Test func priceZero() { expectRejected(["PRICE_PER_SECOND": "0"], key: "PRICE_PER_SECOND") }
    @Test func priceNotANumber() { expectRejected(["PRICE_PER_SECOND": "cheap"], key: "PRICE_PER_SECOND") }
    @Test func priceTooPrecise() {
        expectRejected(["PRICE_PER_SECOND": "0.0001"], key: "PRICE_PER_SECOND", mentioning: "three decimals")
    }
    @Test func fractionalMillisats() {
        expectRejected(["PRICE_PER_SECOND": "1.5", "PRICE_UNIT": "msat"], key: "PRICE_PER_SECOND", mentioning: "whole number")
    }
    @Test func priceTooHigh() { expectRejected(["PRICE_PER_SECOND": "1000001"], key: "PRICE_PER_SECOND") }
    @Test func unknownPriceUnit() { expectRejected(["PRICE_UNIT": "btc"], key: "PRICE_UNIT", mentioning: "sat or msat") }
    @Test func malformedNaddr() { expectRejected(["WHITELIST": "naddr1qqqqqq"], key: "WHITELIST", mentioning: "naddr") }
    @Test func npubInsteadOfNaddr() {
        expectRejected(["WHITELIST": SecretKey.generate().xOnlyPublicKey.npub], key: "WHITELIST", mentioning: "npub")
    }
    @Test func naddrOfANonList() {
        let note = NIP19Entity.naddr(identifier: "x", pubkey: Self.key.xOnlyPublicKey, kind: 1, relays: []).encoded
        expectRejected(["WHITELIST": note], key: "WHITELIST", mentioning: "kind 1 ")
    }
    @Test func whitelistEnabledNotABool() {
        expectRejected(["WHITELIST_ENABLED": "maybe"], key: "WHITELIST_ENABLED", mentioning: "true")
    }
    @Test func geohashWithBadCharacter() { expectRejected(["GEOHASH": "u0va"], key: "GEOHASH", mentioning: "base32") }
    @Test func geohashTooLong() { expectRejected(["GEOHASH": "u0vsu0vsu0vsu"], key: "GEOHASH") }
    @Test func unknownBackend() {
        expectRejected(["INFERENCE_BACKEND": "vllm"], key: "INFERENCE_BACKEND", mentioning: "ollama", "openai")
    }
    @Test func ollamaURLScheme() { expectRejected(["OLLAMA_URL": "ws://127.0.0.1:11434"], key: "OLLAMA_URL") }
    @Test func openAIURLScheme() {
        expectRejected(["INFERENCE_BACKEND": "openai", "OPENAI_URL": "localhost:8080"], key: "OPENAI_URL")
    }
    @Test func modelNameWithSpace() { expectRejected(["MODELS": "llama 3"], key: "MODELS") }
    @Test func nameTooLong() {
        expectRejected(["WORKER_NAME": String(repeating: "n", count: 65)], key: "WORKER_NAME", mentioning: "64")
    }
    @Test func aboutTooLong() { expectRejected(["WORKER_ABOUT": String(repeating: "a", count: 1001)], key: "WORKER_ABOUT") }
    @Test func ttlTooShort() { expectRejected(["ADVERTISEMENT_TTL": "5"], key: "ADVERTISEMENT_TTL", mentioning: "30") }
    @Test func graceNotANumber() { expectRejected(["SHUTDOWN_GRACE": "1.5"], key: "SHUTDOWN_GRACE") }
    @Test func metricsPortOutOfRange() { expectRejected(["METRICS_PORT": "70000"], key: "METRICS_PORT", mentioning: "65535") }

    // MARK: .env

    @Test func dotEnvSyntax() {
        let text = """
            # a comment
            NOSTR_RELAYS=wss://a.example,wss://b.example
              export WORKER_NAME = "studio \\"m2\\""
            WORKER_ABOUT='single # not a comment'
            PRICE_PER_SECOND=2 # trailing comment
            MODELS=

            broken line
            9BAD=x
            UNCLOSED="oops
            """
        let (values, problems) = DotEnv.parse(text)
        #expect(values["NOSTR_RELAYS"] == "wss://a.example,wss://b.example")
        #expect(values["WORKER_NAME"] == "studio \"m2\"")
        #expect(values["WORKER_ABOUT"] == "single # not a comment")
        #expect(values["PRICE_PER_SECOND"] == "2")
        #expect(values["MODELS"] == "")
        #expect(problems.map(\.line) == [8, 9, 10])
    }

    @Test func precedenceDotEnvEnvironmentFlags() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".env")
        try "WORKER_NAME=from-dotenv\nWORKER_ABOUT=dotenv\nGEOHASH=u0vs\nWORKR_NAME=typo\n".write(
            to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let (values, warnings) = try DotEnv.merged(
            file: file, environment: ["WORKER_NAME": "from-env", "WORKER_ABOUT": "env"], flags: ["WORKER_NAME": "from-flag"])
        #expect(values["WORKER_NAME"] == "from-flag")
        #expect(values["WORKER_ABOUT"] == "env")
        #expect(values["GEOHASH"] == "u0vs")
        #expect(warnings.count == 1 && warnings[0].contains("WORKR_NAME"))

        // Readable by the group: warned, with the fix.
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let (_, loose) = try DotEnv.merged(file: file, environment: [:])
        #expect(loose.contains { $0.contains(file.path) && $0.contains("chmod 600") })

        // A line that cannot be read stops everything, naming the line.
        try "WORKER_NAME=ok\nnot a setting\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try DotEnv.merged(file: file, environment: [:]) }
        do { _ = try DotEnv.merged(file: file, environment: [:]) } catch { #expect(error.problem.contains("line 2")) }

        // No .env at all is fine.
        let (only, none) = try DotEnv.merged(file: dir.appendingPathComponent("missing.env"), environment: ["A": "1"])
        #expect(only == ["A": "1"] && none.isEmpty)
    }
}
