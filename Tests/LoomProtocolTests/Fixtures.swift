import Cashu
import LoomJSON
import Nostr
import Secp256k1

@testable import LoomProtocol

/// Keys and values the tests share. Fresh keys each run: nothing here may
/// depend on a particular key.
enum Fixture {
    static let worker = SecretKey.generate()
    static let client = SecretKey.generate()
    static let stranger = SecretKey.generate()
    static let now: Int64 = 1_750_000_000
    static let mint = "https://mint.example.com"

    static let rate = Rate(msatPerSecond: 2_500, minSeconds: 5, maxSeconds: 600)

    static var terms: WorkerTerms {
        WorkerTerms(models: ["llama3.2:3b", "qwen2.5:7b"], mints: [mint + "/"], rate: rate, worker: worker.xOnlyPublicKey)
    }

    /// A syntactically valid token: random secrets, real curve points. A
    /// mint would refuse it, which is fine: nothing here talks to one.
    static func token(
        _ amounts: [UInt64], mint: String = mint, unit: CurrencyUnit = .sat,
        secret: () -> String = { Hex.encode(SecureRandom.bytes(32)) }
    ) throws -> String {
        let id = try KeysetID(hex: "009a1f293253e41e")
        let proofs = amounts.map {
            Proof(amount: Amount($0), id: id, secret: secret(), C: SecretKey.generate().publicKey)
        }
        return try Token(mint: mint, unit: unit, proofs: proofs).serializedV4()
    }

    static func request(payment: String? = nil, model: String = "llama3.2:3b", maxSeconds: UInt64? = 60) throws -> JobRequest {
        JobRequest(
            model: model,
            input: .messages([
                ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Why is the sky blue?"),
            ]),
            options: ["temperature": .double(0.2), "num_predict": .int(256), "stop": .array([.string("\n\n")])],
            payment: try payment ?? token([64, 32, 4]), maxSeconds: maxSeconds, lockChange: true)
    }

    static func sealed(_ request: JobRequest? = nil, expiresAt: Int64? = now + 600, createdAt: Int64 = now) throws -> Event {
        try (request ?? self.request()).seal(
            from: client, to: worker.xOnlyPublicKey, relays: ["wss://relay.example.com"],
            expiresAt: expiresAt, createdAt: createdAt)
    }

    /// Signs an arbitrary request-shaped event, for the malformed cases.
    static func rawRequest(
        content: String, tags: [[String]]? = nil, kind: Int = LoomKind.jobRequest.rawValue,
        by key: SecretKey = client
    ) throws -> Event {
        let t = tags ?? [["p", worker.xOnlyPublicKey.hex], ["encrypted"]]
        return try Event.sign(kind: kind, content: content, tags: t, createdAt: now, with: key)
    }

    /// Encrypts arbitrary plaintext from the client to the worker.
    static func encrypted(_ plaintext: String) throws -> String {
        try NIP44.encrypt(plaintext, from: client, to: worker.xOnlyPublicKey)
    }

    static var advertisement: Advertisement {
        Advertisement(
            name: "studio-m2", about: "Mac Studio next to a window",
            backends: [.init(name: "ollama", models: ["llama3.2:3b", "qwen2.5:7b"])],
            pricing: rate, mints: [mint], blossom: ["https://blossom.example.com"],
            relays: ["wss://relay.example.com", "wss://relay2.example.com"],
            capacity: .init(maxConcurrent: 2, running: 1, queued: 0, maxQueue: 8),
            hardware: .init(chipFamily: "apple-m2", memoryTier: .gb32),
            software: .init(version: "0.1.0"), geohash: "u0vs")
    }
}

extension Event {
    /// A copy with some fields replaced, keeping the old id and signature:
    /// how a tampered event looks on the wire.
    func tampered(content: String? = nil, tags: [[String]]? = nil) -> Event {
        Event(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags ?? self.tags,
            content: content ?? self.content, sig: sig)
    }
}
