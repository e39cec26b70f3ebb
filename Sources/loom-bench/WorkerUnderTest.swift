import Cashu
import CashuWallet
import Foundation
import Inference
import Logging
import LoomJSON
import LoomProtocol
@_spi(Bench) import LoomWorker
import Nostr
@_spi(Bench) import NostrRelay
import Secp256k1

/// One in-process worker with a whitelisted client and a funded wallet,
/// for `WorkerBench`.
final class WorkerUnderTest: @unchecked Sendable {
    let setup: WorkerBench.Setup
    let root: URL
    let clientKey = SecretKey.generate()
    let workerKey = SecretKey.generate()
    let backend: TimedBackend
    let worker: Worker
    let serving: Task<Void, any Error>
    let wallet: Wallet
    /// Receives tokens for the bare swap measure.
    let receiver: Wallet
    /// The subscription id the worker's relay connection gave its intake.
    let intake: String

    init(_ setup: WorkerBench.Setup) async throws {
        self.setup = setup
        root = FileManager.default.temporaryDirectory.appendingPathComponent("loom-bench-worker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        backend = TimedBackend(setup.backend)
        let config = WorkerConfiguration(
            secretKey: workerKey, relays: [setup.relay], mints: [setup.mint], blossomServers: [setup.blossom],
            rate: Rate(msatPerSecond: 1000, minSeconds: 1, maxSeconds: 600), maxConcurrentJobs: 1, maxQueue: 16,
            whitelistEnabled: true, dataDirectory: root.appendingPathComponent("worker"), shutdownGrace: .seconds(5))
        var logger = Logger(label: "bench-worker")
        logger.logLevel = .error
        worker = try Worker(
            configuration: config, access: KeysAccess(keys: [clientKey.xOnlyPublicKey.hex]),
            backend: backend, logger: logger)
        let worker = self.worker
        serving = Task { try await worker.run() }

        let root = self.root, clientKey = self.clientKey
        func openWallet(_ name: String) throws -> Wallet {
            try Wallet(
                store: WalletStore(path: root.appendingPathComponent("\(name).sqlite").path),
                mintURL: setup.mint, lockKey: clientKey)
        }
        wallet = try openWallet("client")
        receiver = try openWallet("receiver")
        let quote = try await wallet.requestMint(Amount(5_000))
        _ = try await wallet.mint(quote: quote.quote, amount: Amount(5_000))

        // The worker subscribes after connecting and recovering; wait for it.
        let sample = try Self.stranger(SecretKey.generate(), to: workerKey.xOnlyPublicKey.hex, content: "x")
        var found: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while found == nil, ContinuousClock.now < deadline {
            found = await worker.pool.subscriptionID(matching: sample, relay: setup.relay)
            if found == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let found else { throw BenchFailure("the worker never subscribed on \(setup.relay)") }
        intake = found
    }

    func stop() async {
        await worker.shutdown()
        _ = try? await serving.value
    }

    /// The mint swap as a wallet makes it: `receive` of a 2-sat token (the
    /// payment the admission measure sends), journal writes included.
    func swapTimes(rounds: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<rounds {
            let token = try await wallet.send(Amount(2)).token
            let start = ContinuousClock.now
            _ = try await receiver.receive(token)
            times.append(BlossomBench.secondsOf(ContinuousClock.now - start))
        }
        return times
    }

    /// The bare mint round trip: POST /v1/swap for a 2-sat token's proof,
    /// outputs blinded beforehand, nothing journaled. The floor under any
    /// admission: a worker must swap before it works.
    func bareSwapTimes(rounds: Int) async throws -> [Double] {
        let mint = MintClient(url: setup.mint)
        var times: [Double] = []
        for _ in 0..<rounds {
            let token = try Token.decode(try await wallet.send(Amount(2)).token)
            let outputs = token.proofs.map { BlindingData.random(amount: $0.amount, keysetID: $0.id).message }
            let start = ContinuousClock.now
            _ = try await mint.swap(inputs: token.proofs, outputs: outputs)
            times.append(BlossomBench.secondsOf(ContinuousClock.now - start))
        }
        return times
    }

    /// Request frame in → the backend's `run` call, for one-token jobs paid
    /// with 2 sat, and the part of it from the request opened (signature
    /// checked, decrypted). `locked`: the token is P2PK-locked to the worker
    /// (with the mint's DLEQ proofs), so the worker admits it early, the swap beside the run.
    func admissionTimes(rounds: Int, locked: Bool = false) async throws -> [(frame: Double, opened: Double)] {
        var times: [(frame: Double, opened: Double)] = []
        for _ in 0..<rounds {
            let lock = locked ? workerKey.xOnlyPublicKey.evenPublicKey : nil
            let token = try await wallet.send(Amount(2), lockTo: lock).token
            let event = try request(token: token, options: ["num_predict": 1])
            let callsBefore = backend.callTimes.count
            let start = ContinuousClock.now
            await worker.pool.inject(frame(event), relay: setup.relay)
            try await waitUntil("the backend call of job \(event.id.prefix(8))") { self.backend.callTimes.count > callsBefore }
            let called = backend.callTimes[callsBefore]
            guard let opened = await worker.lastOpened, opened.id == event.id else {
                throw BenchFailure("the worker did not say when it opened job \(event.id.prefix(8))")
            }
            times.append((BlossomBench.secondsOf(called - start), BlossomBench.secondsOf(called - opened.at)))
            try await settled(event.id)
        }
        return times
    }

    /// The long generation read straight from the backend, timed as the
    /// worker's runner times it (from the request to the end of the stream),
    /// through the same `TimedBackend` wrapper the worker's runs go through.
    func directTokensPerSecond() async throws -> Double {
        let start = ContinuousClock.now
        var tokens = 0
        for try await event in backend.run(inferenceRequest()) {
            if case .token = event { tokens += 1 }
        }
        return Double(tokens) / BlossomBench.secondsOf(ContinuousClock.now - start)
    }

    /// The same generation as a paid job; the worker's journal gives the
    /// time it served, the timed backend the tokens it passed through.
    /// With `spamPerSecond`, strangers' requests arrive meanwhile.
    func jobTokensPerSecond(spam: (frames: [Data], perSecond: Int)? = nil) async throws -> Double {
        let token = try await wallet.send(Amount(130)).token
        let event = try request(token: token, options: setup.streamOptions)
        let streamsBefore = backend.tokenCounts.count
        let spam = spam.map { spam in Task { await self.flood(spam.frames, perSecond: spam.perSecond) } }
        await worker.pool.inject(frame(event), relay: setup.relay)
        try await settled(event.id)
        spam?.cancel()
        await spam?.value
        guard let record = try worker.journal.job(event.id), record.state == JobState.completed, record.elapsedMs > 0 else {
            throw BenchFailure(
                "the streaming job did not complete: \(String(describing: try? worker.journal.job(event.id)?.state))")
        }
        try await waitUntil("the token count") { self.backend.tokenCounts.count > streamsBefore }
        return Double(backend.tokenCounts[streamsBefore]) * 1000 / Double(record.elapsedMs)
    }

    /// Seconds per stranger request through the relay connection: once with
    /// the worker's whitelist gate, once through a subscription without one
    /// (every event signature-checked, as before the gate existed).
    func strangerCost(count: Int) async throws -> (gated: Double, verified: Double) {
        let frames = try strangerFrames(count, subscription: intake)
        var start = ContinuousClock.now
        for frame in frames { await worker.pool.inject(frame, relay: setup.relay) }
        let gated = BlossomBench.secondsOf(ContinuousClock.now - start) / Double(count)

        let pool = try RelayPool(urls: [setup.relay])
        let plain = pool.subscribe([Filter(kinds: [LoomKind.jobRequest.rawValue], tags: ["p": [workerKey.xOnlyPublicKey.hex]])])
        let sample = try Self.stranger(SecretKey.generate(), to: workerKey.xOnlyPublicKey.hex, content: "x")
        var id: String?
        for _ in 0..<600 where id == nil {
            id = await pool.subscriptionID(matching: sample, relay: setup.relay)
            if id == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let drain = Task { for await _ in plain {} }
        guard let id else { throw BenchFailure("the plain subscription never got an id on \(setup.relay)") }
        let unguarded = try strangerFrames(count, subscription: id)
        start = ContinuousClock.now
        for frame in unguarded { await pool.inject(frame, relay: setup.relay) }
        let verified = BlossomBench.secondsOf(ContinuousClock.now - start) / Double(count)
        drain.cancel()
        await pool.close()
        return (gated, verified)
    }

    // MARK: requests

    static let prompt = "Tell me a long story about a lighthouse keeper."

    /// What the worker asks the backend for a job of `request(token:options:)`: the same endpoint and body.
    func inferenceRequest() -> InferenceRequest {
        InferenceRequest(model: setup.model, prompt: Self.prompt, options: setup.streamOptions)
    }

    func request(token: String, options: [String: JSONValue]) throws -> Event {
        try JobRequest(model: setup.model, input: .prompt(Self.prompt), options: options, payment: token)
            .seal(from: clientKey, to: workerKey.xOnlyPublicKey)
    }

    func frame(_ event: Event) -> Data { Data(#"["EVENT","\#(intake)",\#(event.json)]"#.utf8) }

    /// Kind-5100 events for the worker from 50 keys outside its whitelist,
    /// with a ciphertext-sized content, as frames of subscription `id`.
    func strangerFrames(_ count: Int, subscription id: String) throws -> [Data] {
        let keys = (0..<50).map { _ in SecretKey.generate() }
        let worker = workerKey.xOnlyPublicKey.hex
        return try (0..<count).map { i in
            let content = Data(SecureRandom.bytes(820)).base64EncodedString()
            let event = try Self.stranger(keys[i % keys.count], to: worker, content: content)
            return Data(#"["EVENT","\#(id)",\#(event.json)]"#.utf8)
        }
    }

    static func stranger(_ key: SecretKey, to worker: String, content: String) throws -> Event {
        try Event.sign(kind: LoomKind.jobRequest.rawValue, content: content, tags: [["p", worker]], with: key)
    }

    /// `frames` (cycled) at `perSecond`, in batches every 10 ms, until cancelled.
    func flood(_ frames: [Data], perSecond: Int) async {
        let batch = max(1, perSecond / 100)
        var next = ContinuousClock.now, i = 0
        while !Task.isCancelled {
            for _ in 0..<batch {
                await worker.pool.inject(frames[i % frames.count], relay: setup.relay)
                i += 1
            }
            next += .milliseconds(10)
            try? await Task.sleep(until: next)
        }
    }

    // MARK: waiting

    /// Until the job's result is published (its money settled).
    func settled(_ id: String) async throws {
        // Polled slowly: the poll must not take CPU from the job being measured.
        try await waitUntil("job \(id.prefix(8)) to settle", every: .milliseconds(50), limit: .seconds(300)) {
            guard let record = try self.worker.journal.job(id) else { return false }
            return record.published || record.state == .rejected
        }
    }

    func waitUntil(
        _ what: String, every interval: Duration = .milliseconds(1), limit: Duration = .seconds(120),
        _ done: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try !done() {
            guard ContinuousClock.now < deadline else { throw BenchFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: interval)
        }
    }
}
