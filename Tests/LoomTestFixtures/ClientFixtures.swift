import LoomProtocol
import Nostr
import Secp256k1

// `@testable`: JournaledJob has no public initialiser (only the client writes one);
// this target is only ever built with the tests, which enable testability.
@testable import LoomClient

/// A worker's offer with the fields the directory tests vary (the pure
/// DirectoryTests pick from it in memory, the live ones read it off a relay).
public func testOffer(
    _ name: String, price: UInt64, models: [String] = ["llama3.2:3b"], mints: [String] = ["http://127.0.0.1:3338"],
    accepting: Bool = true, running: Int = 0, queued: Int = 0
) -> Advertisement {
    Advertisement(
        name: name, backends: [.init(name: "ollama", models: models)],
        pricing: Rate(msatPerSecond: price, minSeconds: 1, maxSeconds: 600), mints: mints, blossom: [],
        relays: ["ws://127.0.0.1:1"], capacity: .init(maxConcurrent: 1, running: running, queued: queued),
        hardware: .init(chipFamily: "x86_64", memoryTier: .gb16), software: .init(version: "0.1.0"), accepting: accepting)
}

/// A journaled job of `client`'s, sent to `worker`, as the client journal
/// holds it (the JobListTests of both tiers: short ids, `loom job list`).
public func journaledJob(
    at createdAt: Int64, model: String?, stage: JournaledJob.Stage, client: SecretKey, worker: XOnlyPublicKey,
    lastState: String? = nil, reclaimable: String? = nil, pendingChange: String? = nil
) throws -> JournaledJob {
    let request = try Event.sign(
        kind: LoomKind.jobRequest.rawValue, content: "NIP-44 ciphertext",
        tags: [[LoomTag.pubkey, worker.hex]], createdAt: createdAt, with: client)
    return JournaledJob(
        jobID: request.id, worker: worker.hex, relays: ["ws://127.0.0.1:1"], workerRelays: nil,
        request: request, model: model, paidSat: 25, mint: "http://127.0.0.1:3338",
        reclaimableToken: reclaimable, paymentSource: "wallet", pendingChange: pendingChange,
        stage: stage, createdAt: createdAt, lastState: lastState)
}

/// The price the client tests' workers ask: 2.5 sat a second, 5 s to 10 min.
public let testRate = Rate(msatPerSecond: 2500, minSeconds: 5, maxSeconds: 600)
