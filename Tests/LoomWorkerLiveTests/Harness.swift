import BlossomServer
import Cashu
import CashuWallet
import Foundation
import Inference
import Logging
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// Real parts for one worker test: a relay, a Nutshell mint, the Ollama
/// stub, an in-process Blossom server, the worker's and the client's keys.
final class Harness: @unchecked Sendable {
    let relay: TestRelay
    let mint: TestServer
    let ollama: TestOllama
    let blossomURL: URL
    let blossom: InProcessServer
    let workerKey = SecretKey.generate()
    let clientKey = SecretKey.generate()
    let root: URL
    let clientPool: RelayPool

    static let model = "llama3.2:latest"
    /// 1 sat per second, at least 1 s, at most 60 s.
    static let rate = Rate(msatPerSecond: 1000, minSeconds: 1, maxSeconds: 60)

    init(inputFeePpk: Int = 0, ollamaArguments: [String] = ["--tokens-per-second", "20"]) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("loom-worker-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        async let relay = TestRelay(maxEventSize: 262_144)
        async let mint = TestMint.start(inputFeePpk: inputFeePpk)
        async let ollama = TestOllama(arguments: ollamaArguments)
        self.relay = try await relay
        self.mint = try await mint
        self.ollama = try await ollama
        let server = try BlossomServer(
            configuration: BlossomServerConfiguration(
                host: "127.0.0.1", port: 0, dataDirectory: root.appendingPathComponent("blossom").path))
        blossom = try await InProcessServer.start { server.makeApplication(logger: quietLogger, onRunning: $0) }
        blossomURL = URL(string: "http://127.0.0.1:\(blossom.port)")!
        clientPool = try RelayPool(urls: [self.relay.url])
        await clientPool.connect()
    }

    private let lock = NSLock()
    private var started: [Worker] = []

    /// The end of every test: each worker it started stops (again, if the
    /// test already stopped it: shutdown is idempotent), and only then the
    /// Blossom server, so no upload dials a server that is going away.
    func stop() async {
        for worker in lock.withLock({ started }) { await worker.shutdown() }
        await clientPool.close()
        await blossom.stop()
    }

    func configuration(
        maxConcurrent: Int = 1, maxQueue: Int? = 16, rate: Rate = Harness.rate, relays: [String]? = nil
    ) -> WorkerConfiguration {
        WorkerConfiguration(
            secretKey: workerKey, relays: relays ?? [relay.url], mints: [mint.httpURL], blossomServers: [blossomURL],
            rate: rate, maxConcurrentJobs: maxConcurrent, maxQueue: maxQueue, whitelistEnabled: false,
            backendURL: URL(string: ollama.url)!,
            dataDirectory: root.appendingPathComponent("worker-\(UUID().uuidString.prefix(6))"),
            shutdownGrace: .seconds(5))
    }

    static var logger: Logger {
        var l = Logger(label: "worker-test")
        l.logLevel = ProcessInfo.processInfo.environment["LOOM_TEST_LOG"] == nil ? .warning : .debug
        return l
    }

    /// Starts a worker serving in the background; returns once it subscribed.
    /// `backend` defaults to the Ollama stub.
    func startWorker(
        _ config: WorkerConfiguration, access: any AccessPolicy = OpenAccess(),
        backend: (any InferenceBackend)? = nil,
        mint: FaultyMint? = nil
    ) async throws -> (Worker, Task<Void, any Error>) {
        var connect: (@Sendable (String) -> any MintConnector)?
        if let mint { connect = { _ in mint } }
        let worker = try Worker(
            configuration: config, access: access,
            backend: backend ?? OllamaBackend(baseURL: ollama.url), logger: Self.logger,
            mintConnector: connect)
        lock.withLock { started.append(worker) }
        let task = Task { try await worker.run() }
        // Give the subscription a moment to reach the relay before requests are sent.
        try await Task.sleep(for: .seconds(1))
        return (worker, task)
    }

    /// A client wallet on `mint` holding `amount` sat.
    func clientWallet(_ amount: UInt64, on server: TestServer? = nil) async throws -> Wallet {
        let dir = root.appendingPathComponent("client-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let wallet = try Wallet(
            store: WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path),
            mintURL: (server ?? mint).httpURL, lockKey: clientKey)
        let quote = try await wallet.requestMint(Amount(amount))
        _ = try await wallet.mint(quote: quote.quote, amount: Amount(amount))
        return wallet
    }

    /// Seals and publishes a request; returns the signed event.
    @discardableResult
    func submit(_ request: JobRequest, from key: SecretKey? = nil, expiresAt: Int64? = nil) async throws -> Event {
        let event = try request.seal(from: key ?? clientKey, to: workerKey.xOnlyPublicKey, expiresAt: expiresAt)
        _ = try await clientPool.publish(event)
        return event
    }

    func prompt(_ token: String, maxSeconds: UInt64? = nil, lockChange: Bool = true, model: String = model) -> JobRequest {
        JobRequest(
            model: model, input: .prompt("Why is the sky blue?"), payment: token, maxSeconds: maxSeconds, lockChange: lockChange)
    }

    /// Follows one job's statuses and result on the relay.
    func watch(_ requestID: String) -> Watcher {
        Watcher(pool: clientPool, requestID: requestID, clientKey: clientKey, worker: workerKey.xOnlyPublicKey.hex)
    }
}

/// Collects the statuses and the result of one job as a client would see them.
final class Watcher: @unchecked Sendable {
    private let lock = NSLock()
    private var _statuses: [PublishedStatus] = []
    private var _result: ReceivedResult?
    private var task: Task<Void, Never>?

    init(pool: RelayPool, requestID: String, clientKey: SecretKey, worker: String) {
        let subscription = pool.subscribe([
            Filter(
                kinds: [LoomKind.jobStatus.rawValue, LoomKind.jobResult.rawValue],
                tags: ["e": [requestID]])
        ])
        task = Task { [weak self] in
            for await item in subscription {
                guard case .event(let event, _) = item, let self else { continue }
                if let status = try? JobStatus.parse(event), status.worker == worker {
                    self.lock.withLock { self._statuses.append(status) }
                } else if let result = try? JobResult.open(event, clientKey: clientKey, worker: worker, requestID: requestID) {
                    self.lock.withLock { self._result = result }
                }
            }
        }
    }

    deinit { task?.cancel() }

    var states: [JobState] { lock.withLock { _statuses.sorted { $0.createdAt < $1.createdAt }.map(\.status.status) } }
    var statuses: [PublishedStatus] { lock.withLock { _statuses } }

    /// Waits (generously: CI is slow) until a status in `state` arrives.
    func status(_ state: JobState, within limit: Duration = .seconds(60)) async throws -> PublishedStatus {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let s = lock.withLock({ _statuses.last { $0.status.status == state } }) { return s }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WaitFailure(description: "no \(state) status; saw \(states)")
    }

    func result(within limit: Duration = .seconds(90)) async throws -> ReceivedResult {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let r = lock.withLock({ _result }) { return r }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WaitFailure(description: "no result; statuses \(states)")
    }
}

struct WaitFailure: Error, CustomStringConvertible { let description: String }

/// Polls `condition` until true or the (generous) deadline passes.
func eventually(within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}
