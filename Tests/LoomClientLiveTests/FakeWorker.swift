import Blossom
import BlossomClient
import Cashu
import CashuWallet
import Foundation
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1

@testable import LoomProtocol

/// A scripted worker for client tests, built from LoomProtocol and a real
/// wallet: it opens requests, takes the payment at the mint, publishes
/// statuses and a sealed result with change. No inference, no scheduler.
actor FakeWorker {
    enum Script: Sendable {
        /// Runs for `elapsedMs`, produces `text`.
        case complete(text: String, elapsedMs: UInt64)
        /// Refuses before touching the payment.
        case reject(RequestRejection)
        /// Takes the payment, runs until a valid cancel arrives, then bills a normal end.
        case runUntilCancelled
        /// Reads the request and never answers (a worker that died after advertising).
        case silent
        /// Takes the payment, then the backend fails after `elapsedMs`: only that time is billed.
        case fail(JobFailure, elapsedMs: UInt64)
    }

    let key: SecretKey
    let pool: RelayPool
    let wallet: Wallet
    let rate: Rate
    let models: [String]
    let mintURL: String
    let blossom: URL?
    var script: Script
    private(set) var cancels: [JobCancel] = []
    private(set) var requests: [OpenedRequest] = []
    private var lastStatusAt: [String: Int64] = [:]
    private var clientPools: [String: RelayPool] = [:]
    /// False: answer on our own relays only, ignoring the request's `relays` tag.
    var honoursRelaysTag = true
    /// How the outputs are spoiled, to test the client's checks; nil: as a worker should.
    private(set) var tamper: Tamper?
    /// Chunks (by `seq`) a streamed job leaves out, as a relay that lost them would.
    private(set) var skippedChunks: Set<UInt64> = []
    /// Text the chunks carry instead of the output: a worker whose chunks and result disagree.
    private(set) var chunkText: String?
    /// The outputs of the last result, as the worker described them (keys included).
    private(set) var lastOutputs: [JobResult.Output] = []

    enum Tamper: Sendable {
        /// The result points at another blob of the same size, sealed under another key.
        case otherBlob
        /// The blob is right; the result names another content hash.
        case wrongContentHash
        /// An algorithm this client does not know (allowed within v1: only that output is refused).
        case unknownAlgorithm
        /// Stored in clear, as workers did before outputs were encrypted.
        case clearText
    }
    private var listener: Task<Void, Never>?
    /// One task per request; `stop()` waits for them, so none is still
    /// uploading to a Blossom server the test is about to stop.
    private var handlers: [Task<Void, Never>] = []
    /// How the worker cheats the buyer (HostileWorkerTests); nil: it does not.
    private(set) var attack: Attack?
    /// How long a job stays `running` before it ends (nil: at once). Job
    /// statuses are addressable, so a watcher that subscribes after the end
    /// sees only the last one; a test of the status lines holds the end.
    private var holdEnd: Duration?

    enum Attack: Sendable, CaseIterable {
        /// Bills twice its advertised price.
        case billOverPrice
        /// Keeps everything paid: no change, a bill that charges it all.
        case keepEverything
        /// Change whose proofs the mint never signed.
        case fakeChange
        /// Change it redeemed itself before sending it.
        case spentChange
        /// Takes the payment at the mint, then never says another word.
        case takeAndSilent
        /// Usage counts beyond any wire bound (2^64 − 1): the result is refused, the change still redeemed.
        case hugeUsage
        /// Live chunks with absurd `seq`s and counts before the honest ones.
        case absurdChunks
    }

    nonisolated var hex: String { key.xOnlyPublicKey.hex }

    init(
        relay: String, mint: String, walletDirectory: URL, rate: Rate, models: [String] = ["llama3.2:3b"],
        blossom: URL? = nil, script: Script
    ) throws {
        key = SecretKey.generate()
        pool = try RelayPool(urls: [relay])
        let store = try WalletStore(path: walletDirectory.appendingPathComponent("worker-\(UUID().uuidString).sqlite").path)
        wallet = try Wallet(store: store, mintURL: mint, lockKey: key)
        self.rate = rate
        self.models = models
        mintURL = Token.normalizeMintURL(mint)
        self.blossom = blossom
        self.script = script
    }

    /// The usual test worker: `testRate`, a wallet in its own folder, its
    /// offer on `relay`, and serving requests unless `serving` is false.
    static func advertised(
        on relay: TestRelay, mint: TestServer, script: Script, blossom: URL? = nil,
        serving: Bool = true
    ) async throws -> FakeWorker {
        let worker = try FakeWorker(
            relay: relay.url, mint: mint.httpURL, walletDirectory: temporaryDirectory("worker"),
            rate: testRate, blossom: blossom, script: script)
        try await worker.advertise()
        if serving { await worker.start() }
        return worker
    }

    func advertisement(
        name: String = "fake", accepting: Bool = true, capacity: Advertisement.Capacity = .init(maxConcurrent: 1)
    ) -> Advertisement {
        Advertisement(
            name: name, backends: [.init(name: "ollama", models: models)], pricing: rate, mints: [mintURL],
            blossom: blossom.map { [$0.absoluteString] } ?? [], relays: pool.urls, capacity: capacity,
            hardware: .init(chipFamily: "x86_64", memoryTier: .gb16), software: .init(version: "0.1.0"), accepting: accepting)
    }

    func advertise(_ ad: Advertisement? = nil, ttl: Int64 = 300) async throws {
        let resolved = ad ?? advertisement()
        await pool.connect()
        _ = try await pool.publish(try resolved.sign(with: key, ttl: ttl))
    }

    /// Starts answering requests and collecting cancels addressed to this worker.
    func start() async {
        await pool.connect()
        let subscription = pool.subscribe([
            Filter(kinds: [LoomKind.jobRequest.rawValue, LoomKind.jobCancel.rawValue], tags: ["p": [hex]])
        ])
        listener = Task {
            for await item in subscription {
                guard case .event(let event, _) = item else { continue }
                if event.kind == LoomKind.jobCancel.rawValue {
                    if let cancel = try? JobCancel.parse(event) { self.record(cancel) }
                } else {
                    self.handlers.append(Task { await self.handle(event) })
                }
            }
        }
    }

    func setScript(_ script: Script) { self.script = script }
    func setHonoursRelaysTag(_ value: Bool) { honoursRelaysTag = value }
    func setTamper(_ value: Tamper?) { tamper = value }
    func setSkippedChunks(_ value: Set<UInt64>) { skippedChunks = value }
    func setChunkText(_ value: String?) { chunkText = value }
    func setHoldEnd(_ value: Duration?) { holdEnd = value }
    func setAttack(_ value: Attack?) { attack = value }

    func stop() async {
        listener?.cancel()
        await listener?.value
        for handler in handlers { handler.cancel() }
        for handler in handlers { await handler.value }
        await pool.close()
        for other in clientPools.values { await other.close() }
    }

    private func record(_ cancel: JobCancel) { cancels.append(cancel) }

    private func handle(_ event: Event) async {
        guard let opened = try? JobRequest.open(event, workerKey: key) else { return }
        requests.append(opened)
        if case .silent = script { return }
        do {
            try await status(.init(status: .received), for: opened)
            if case .reject(let why) = script {
                try await status(.rejected(why), for: opened)
                return
            }
            let terms = WorkerTerms(models: Set(models), mints: [mintURL], rate: rate, worker: key.xOnlyPublicKey)
            let admission = try Admission(opened, terms: terms)
            let received = try await wallet.receive(opened.request.payment)
            if attack == .takeAndSilent { return }
            let budget = try admission.budgetSeconds(inputFee: received.fee, rate: rate)
            try await status(.init(status: .paymentVerified, budgetSeconds: budget), for: opened)
            try await status(
                .init(
                    status: .running, elapsedMs: 500, costMsat: try Pricing.costMsat(rate: rate, elapsedMs: 500),
                    tokens: 3, budgetSeconds: budget), for: opened)
            var final = JobState.completed
            var elapsed: UInt64 = 0
            var failure: JobFailure?
            var outputs: [JobResult.Output] = []
            switch script {
            case .complete(let text, let ms):
                elapsed = ms
                if opened.request.stream { try await sendChunks(chunkText ?? text, for: opened) }
                outputs = try await upload(text)
            case .runUntilCancelled:
                while !cancels.contains(where: { $0.cancels(opened, worker: hex) }) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                final = .cancelled
                elapsed = 1200
            case .fail(let why, let ms):
                final = .failed
                elapsed = ms
                failure = why
            case .reject, .silent: return
            }
            if let holdEnd { try await Task.sleep(for: holdEnd) }
            try await finish(
                opened, state: final, paid: admission.paid, inputFee: received.fee, budget: budget, elapsedMs: elapsed,
                outputs: outputs, failure: failure)
        } catch {
            let why = (error as? RequestRejection) ?? .mintUnavailable
            try? await status(.rejected(why), for: opened)
        }
    }

    /// The text as live chunks of one word each (its trailing space
    /// included), in order, minus `skippedChunks`.
    private func sendChunks(_ text: String, for opened: OpenedRequest) async throws {
        var words: [String] = []
        var word = ""
        for character in text {
            word.append(character)
            if character == " " {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        let client = try XOnlyPublicKey(hex: opened.client)
        if attack == .absurdChunks {
            for seq in [UInt64.max, UInt64.max - 1, 1 << 60] {
                let chunk = JobChunk(seq: seq, text: "absurd ", tokens: .max, elapsedMs: .max)
                _ = try await pool.publish(try unchecked(chunk, kind: .jobChunk, requestID: opened.id, to: client))
            }
        }
        for (i, piece) in words.enumerated() where !skippedChunks.contains(UInt64(i)) {
            let chunk = JobChunk(seq: UInt64(i), text: piece, tokens: UInt64(i + 1), elapsedMs: UInt64(i + 1) * 100)
            _ = try await pool.publish(try chunk.seal(requestID: opened.id, to: client, from: key))
        }
    }

    /// Encrypts and uploads the text as the real worker does, then spoils it as `tamper` says.
    private func upload(_ text: String) async throws -> [JobResult.Output] {
        guard let blossom else { return [] }
        let client = BlossomClient(servers: [blossom], key: key)
        let content = Data(text.utf8)
        let sealed = try BlobEncryption.seal(content)
        let stored = try await client.upload(sealed.blob, type: MediaType.fallback)
        var output = sealed.output(url: stored.url, type: "text/plain")
        switch tamper {
        case nil: break
        case .otherBlob:
            let other = try BlobEncryption.seal(Data(repeating: 0x78, count: content.count))
            let d = try await client.upload(other.blob, type: MediaType.fallback)
            output.url = d.url
            output.blobSha256 = other.blobSha256
        case .wrongContentHash:
            output.sha256 = BlobEncryption.sha256Hex(Data("another text".utf8))
        case .unknownAlgorithm:
            output.encryption?.algorithm = "chacha20-poly1305"
        case .clearText:
            let d = try await client.upload(content, type: "text/plain")
            output = JobResult.Output(url: d.url, sha256: d.sha256, size: UInt64(d.size), type: "text/plain")
        }
        lastOutputs = [output]
        return [output]
    }

    /// Bills as `Pricing.settle` says and sends the change from this wallet.
    private func finish(
        _ opened: OpenedRequest, state: JobState, paid: Amount, inputFee: Amount, budget: UInt64,
        elapsedMs: UInt64, outputs: [JobResult.Output], failure: JobFailure?
    ) async throws {
        let cause: Pricing.Cause = failure == nil ? .normal : .workerFault
        let changeFee = try await changeSwapFee(
            paid: paid, inputFee: inputFee, budget: budget, elapsedMs: elapsedMs, cause: cause)
        var bill = try Pricing.settle(
            paid: paid, inputFee: inputFee, changeFee: changeFee, rate: rate,
            elapsedMs: elapsedMs, budgetSeconds: budget, cause: cause)
        var change: String?
        if bill.changeSat > .zero, attack != .keepEverything, attack != .spentChange {
            let client = try XOnlyPublicKey(hex: opened.client)
            let sent = try await wallet.send(bill.changeSat, lockTo: opened.request.lockChange ? client.evenPublicKey : nil)
            precondition(sent.fee == changeFee, "fake worker predicted a change fee of \(changeFee), the swap cost \(sent.fee)")
            change = sent.token
        }
        var usage = JobResult.Usage(promptTokens: 5, completionTokens: 3)
        switch attack {
        case .billOverPrice: bill.msatPerSecond *= 2
        case .keepEverything:
            bill.chargedSat = Amount(bill.chargedSat.value + bill.changeSat.value)
            bill.changeSat = .zero
        case .fakeChange:
            var token = try Token.decode(change!)
            token.proofs = token.proofs.map { proof in
                var forged = proof
                forged.secret = Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
                forged.dleq = nil
                return forged
            }
            change = try token.serializedV4()
        case .spentChange:
            // Sent unlocked and taken back at once: the token the client gets is spent.
            let sent = try await wallet.send(bill.changeSat)
            _ = try await wallet.receive(sent.token)
            change = sent.token
        case .hugeUsage: usage = JobResult.Usage(promptTokens: .max, completionTokens: .max)
        case .takeAndSilent, .absurdChunks, nil: break
        }
        let result = JobResult(
            status: state, outputs: outputs, usage: usage, bill: bill, change: change, error: failure?.reason)
        try await status(
            .init(
                status: state, elapsedMs: elapsedMs, costMsat: try Pricing.costMsat(rate: rate, elapsedMs: elapsedMs),
                tokens: 3, budgetSeconds: budget, reason: failure?.reason), for: opened)
        let client = try XOnlyPublicKey(hex: opened.client)
        let sealed =
            attack == .hugeUsage
            ? try unchecked(
                result, kind: .jobResult, requestID: opened.id, to: client,
                extraTags: [[LoomTag.status, state.rawValue], [LoomTag.encrypted]])
            : try result.seal(requestID: opened.id, to: client, from: key)
        try await answer(sealed, to: opened)
    }

    /// Sealed as `seal` does, without its `validate()`: what a hostile worker can send.
    private func unchecked(
        _ value: some Encodable, kind: LoomKind, requestID: String, to client: XOnlyPublicKey, extraTags: [[String]] = []
    ) throws -> Event {
        let ciphertext = try NIP44.encrypt(try WireJSON.encode(value), from: key, to: client)
        return try Event.sign(
            kind: kind.rawValue, content: ciphertext,
            tags: [[LoomTag.event, requestID], [LoomTag.pubkey, client.hex]] + extraTags, createdAt: Event.now(), with: key)
    }

    /// The input fee `wallet.send(change)` will pay: the wallet picks its
    /// proofs largest first until they cover the amount plus their own fee.
    /// The change depends on that fee, so try each fee until they agree.
    private func changeSwapFee(
        paid: Amount, inputFee: Amount, budget: UInt64, elapsedMs: UInt64, cause: Pricing.Cause
    ) async throws -> Amount {
        let ppk = (try await wallet.refreshKeysets()).filter(\.active).map(\.inputFeePpk).min() ?? 0
        let proofs = Amount(paid.value - inputFee.value).split().map(\.value).sorted(by: >)
        for guess in UInt64(0)...8 {
            let bill = try Pricing.settle(
                paid: paid, inputFee: inputFee, changeFee: Amount(guess), rate: rate,
                elapsedMs: elapsedMs, budgetSeconds: budget, cause: cause)
            guard bill.changeSat > .zero else { return Amount(guess) }
            var total: UInt64 = 0, count: UInt64 = 0
            for p in proofs {
                total += p; count += 1
                let fee = (count * ppk + 999) / 1000
                if total >= bill.changeSat.value + fee { if fee == guess { return Amount(guess) }; break }
            }
        }
        throw RequestRejection.notAccepting
    }

    private func status(_ s: JobStatus, for opened: OpenedRequest) async throws {
        let at = JobStatus.nextCreatedAt(previous: lastStatusAt[opened.id], now: Event.now())
        lastStatusAt[opened.id] = at
        try await answer(try s.sign(with: key, requestID: opened.id, client: opened.client, createdAt: at), to: opened)
    }

    /// Publishes on our relays and on those the request names (its `relays` tag), as PROTOCOL.md asks.
    private func answer(_ event: Event, to opened: OpenedRequest) async throws {
        _ = try await pool.publish(event)
        let extra = opened.relays.filter { !pool.urls.contains($0) }
        guard honoursRelaysTag, !extra.isEmpty else { return }
        let key = extra.sorted().joined(separator: " ")
        let other = try clientPools[key] ?? RelayPool(urls: extra)
        clientPools[key] = other
        await other.connect()
        _ = try await other.publish(event)
    }
}
