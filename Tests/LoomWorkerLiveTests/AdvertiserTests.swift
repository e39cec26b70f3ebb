import Foundation
import Inference
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import LoomWorker
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// Capacity the test changes while the advertiser runs.
final class EdgeCapacityBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Advertisement.Capacity(maxConcurrent: 2, running: 0, queued: 0, maxQueue: 4)
    var capacity: Advertisement.Capacity {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// Installed models the test changes while the advertiser runs.
final class EdgeModelsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [String]
    init(_ names: [String]) { value = names }
    var names: [String] {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// The Ollama stub behind a model list that takes two seconds to answer,
/// as a backend still starting does.
final class SlowModelList: InferenceBackend, @unchecked Sendable {
    let base: OllamaBackend
    private let lock = NSLock()
    private var calls = 0
    init(base: OllamaBackend) { self.base = base }
    var asked: Int { lock.withLock { calls } }

    func models() async throws -> [ModelInfo] {
        lock.withLock { calls += 1 }
        try await Task.sleep(for: .seconds(2))
        return try await base.models()
    }

    func run(_ request: InferenceRequest) -> InferenceStream { base.run(request) }
}

@Suite(.serialized) struct AdvertiserTests {
    let key = SecretKey.generate()

    func configuration(relay: String, ttl: Duration) -> WorkerConfiguration {
        WorkerConfiguration(
            secretKey: key, relays: [relay], mints: ["http://127.0.0.1:3338/"],
            blossomServers: [URL(string: "http://127.0.0.1:24242")!],
            rate: Rate(msatPerSecond: 1500, minSeconds: 2, maxSeconds: 120), maxConcurrentJobs: 2,
            geohash: "u0vs", models: ["llama3.2:3b", "smollm2:135m"], dataDirectory: edgeTemporaryFile("data"),
            name: "test worker", about: "for tests", advertisementTTL: ttl)
    }

    /// The relay's stored advertisements of this worker (nostr-relay keeps the newest only).
    func stored(_ pool: RelayPool) async throws -> [WorkerOffer] {
        let subscription = pool.subscribe([Filter(authors: [key.xOnlyPublicKey.hex], kinds: [LoomKind.advertisement.rawValue])])
        defer { subscription.cancel() }
        var offers: [WorkerOffer] = []
        for await item in subscription {
            switch item {
            case .event(let event, _): offers.append(try Advertisement.parse(event))
            case .endOfStoredEvents, .closed: return offers
            }
        }
        return offers
    }

    @Test func advertisementIsValidCarriesExpirationAndGoesOfflineAtShutdown() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let advertiser = Advertiser(
            pool: pool, key: key, configuration: configuration(relay: relay.url, ttl: .seconds(300)),
            version: "0.1.0-test", logger: edgeLogger("test.advertiser"))
        let running = Task {
            // "mistral" is installed but not in MODELS: not offered.
            await advertiser.run(
                models: { ["llama3.2:3b", "mistral", "smollm2:135m"] },
                capacity: { Advertisement.Capacity(maxConcurrent: 2, running: 1, queued: 0, maxQueue: 4) })
        }
        defer { running.cancel() }
        var offer: WorkerOffer?
        try await edgeEventually("the advertisement on the relay") {
            let found = try await stored(pool)
            if let first = found.first { offer = first }
            return !found.isEmpty
        }
        let ad = try #require(offer).advertisement
        #expect(offer?.worker == key.xOnlyPublicKey.hex)
        #expect(offer?.expiresAt == (offer?.createdAt ?? 0) + 300)
        #expect(offer?.isLive() == true)
        #expect(ad.name == "test worker" && ad.about == "for tests")
        #expect(ad.models == ["llama3.2:3b", "smollm2:135m"])
        #expect(ad.backends.map(\.name) == ["ollama"])
        #expect(ad.pricing.msatPerSecond == 1500)
        #expect(ad.mints == ["http://127.0.0.1:3338"])
        #expect(ad.relays == [relay.url])
        #expect(ad.capacity.running == 1 && ad.capacity.maxConcurrent == 2)
        #expect(ad.geohash == "u0vs")
        #expect(ad.software.version == "0.1.0-test")
        #expect(ad.hardware == Hardware.current())

        running.cancel()
        await advertiser.publishOffline()
        try await edgeEventually("the offline replacement") {
            let found = try await stored(pool)
            return found.count == 1 && found[0].advertisement.accepting == false
        }
        let offline = try await stored(pool)[0]
        #expect(offline.advertisement.capacity.running == 0)
        #expect(!offline.isLive())
        #expect(offline.createdAt > (offer?.createdAt ?? .max))
    }

    @Test func republishedBeforeItExpires() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        // TTL 3 s: a refresh every second.
        let advertiser = Advertiser(
            pool: pool, key: key, configuration: configuration(relay: relay.url, ttl: .seconds(3)),
            version: "0.1.0", logger: edgeLogger("test.advertiser"))
        let running = Task {
            await advertiser.run(models: { ["llama3.2:3b"] }, capacity: { Advertisement.Capacity(maxConcurrent: 2) })
        }
        defer { running.cancel() }
        var first: WorkerOffer?
        try await edgeEventually("a first advertisement") {
            first = try await stored(pool).first
            return first != nil
        }
        let firstOffer = try #require(first)
        #expect(firstOffer.expiresAt == firstOffer.createdAt + 3)
        try await edgeEventually("a refreshed advertisement") {
            guard let now = try await stored(pool).first else { return false }
            return now.createdAt > firstOffer.createdAt && now.expiresAt > firstOffer.expiresAt
        }
    }

    @Test func capacityChangeIsPublishedPromptly() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let box = EdgeCapacityBox()
        // A long TTL: only `changed()` can explain a new advertisement.
        let advertiser = Advertiser(
            pool: pool, key: key, configuration: configuration(relay: relay.url, ttl: .seconds(3600)),
            version: "0.1.0", logger: edgeLogger("test.advertiser"))
        let running = Task { await advertiser.run(models: { ["llama3.2:3b"] }, capacity: { box.capacity }) }
        defer { running.cancel() }
        try await edgeEventually("a first advertisement") { try await stored(pool).first?.advertisement.capacity.running == 0 }

        box.capacity.running = 2
        box.capacity.queued = 3
        advertiser.changed()
        try await edgeEventually("the new capacity") {
            let capacity = try await stored(pool).first?.advertisement.capacity
            return capacity?.running == 2 && capacity?.queued == 3
        }
    }

    /// A model pulled or removed while the worker runs changes the offer at
    /// once, not at the next refresh (TTL/3).
    @Test func theOfferFollowsTheModelSet() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let models = EdgeModelsBox(["llama3.2:3b"])
        // A long TTL and no `changed()`: only the new model set can explain a new advertisement.
        let advertiser = Advertiser(
            pool: pool, key: key, configuration: configuration(relay: relay.url, ttl: .seconds(3600)),
            version: "0.1.0", logger: edgeLogger("test.advertiser"))
        let running = Task {
            await advertiser.run(models: { models.names }, capacity: { Advertisement.Capacity(maxConcurrent: 2) })
        }
        defer { running.cancel() }
        try await edgeEventually("a first advertisement") {
            try await stored(pool).first?.advertisement.models == ["llama3.2:3b"]
        }
        models.names = ["llama3.2:3b", "smollm2:135m"]
        try await edgeEventually("the new model in the offer") {
            try await stored(pool).first?.advertisement.models == ["llama3.2:3b", "smollm2:135m"]
        }
        models.names = []
        try await edgeEventually("the offer withdrawn") { try await stored(pool).first?.advertisement.accepting == false }
    }

    /// A worker that just started asks its backend for the models; an
    /// advertiser asking meanwhile waits for that answer instead of taking
    /// the empty set and advertising the worker offline.
    @Test func aFreshWorkersFirstOfferWaitsForASlowModelList() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let backend = SlowModelList(base: OllamaBackend(baseURL: h.ollama.url))
        let config = h.configuration()
        let worker = try Worker(configuration: config, access: OpenAccess(), backend: backend, logger: Harness.logger)
        let serving = Task { try await worker.run() }
        try await edgeEventually("the worker asking its backend for models") { backend.asked >= 1 }
        let advertiser = Advertiser(
            pool: worker.pool, key: h.workerKey, configuration: config, version: "0.1.0",
            logger: edgeLogger("test.advertiser"))
        let advertising = Task { await advertiser.run(models: { await worker.models() }, capacity: { await worker.capacity() }) }
        try await edgeEventually("a first advertisement") { await advertiser.lastEvent != nil }
        let first = try #require(await advertiser.current)
        #expect(first.accepting)
        #expect(first.models == ["llama3.2:latest", "qwen2.5:0.5b"])
        #expect(backend.asked == 1, "one look at the backend served both")
        advertising.cancel()
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func noModelsMeansNotAccepting() async throws {
        let relay = try await TestRelay()
        let pool = try await edgePool([relay.url])
        defer { Task { await pool.close() } }
        let advertiser = Advertiser(
            pool: pool, key: key, configuration: configuration(relay: relay.url, ttl: .seconds(300)),
            version: "0.1.0", logger: edgeLogger("test.advertiser"))
        let running = Task {
            await advertiser.run(models: { ["not-allowed"] }, capacity: { Advertisement.Capacity(maxConcurrent: 2) })
        }
        defer { running.cancel() }
        try await edgeEventually("an advertisement") { try await stored(pool).first?.advertisement.accepting == false }
    }
}
