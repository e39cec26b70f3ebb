import Foundation
import LoomJSON
import LoomProtocol
import Nostr
import Secp256k1

/// A live offer signed now by a fresh key, parsed as the directory parses it.
func offer(
    _ name: String, price: UInt64, models: [String] = ["m"], maxConcurrent: Int = 1, running: Int = 0, queued: Int = 0,
    minSeconds: UInt64 = 1, maxSeconds: UInt64 = 600, key: SecretKey = .generate(), warm: [String]? = nil
) throws -> WorkerOffer {
    var ad = Advertisement(
        name: name, backends: [.init(name: "ollama", models: models)],
        pricing: Rate(msatPerSecond: price, minSeconds: minSeconds, maxSeconds: maxSeconds), mints: ["http://127.0.0.1:3338"],
        blossom: [], relays: ["ws://127.0.0.1:1"],
        capacity: .init(maxConcurrent: maxConcurrent, running: running, queued: queued),
        hardware: .init(chipFamily: "x86_64", memoryTier: .gb16), software: .init(version: "0.1.0"))
    ad.warm = warm
    return try Advertisement.parse(try ad.sign(with: key, createdAt: Event.now()))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A JSON text as a value, to compare documents whatever their key order.
func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
