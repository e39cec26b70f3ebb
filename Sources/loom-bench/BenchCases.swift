import Cashu
import Foundation
import Nostr
import Secp256k1

/// The single-threaded hot paths of Nostr and Cashu.
enum BenchCases {
    static var all: [BenchCase] { nostr + cashu + StreamBench.cases }

    /// The wallet's work per proof: hash_to_curve, blind, unblind, and the
    /// DLEQ check of the mint's signature (the mint's signing is set up
    /// beforehand and not counted).
    static var cashu: [BenchCase] {
        [
            BenchCase(name: "cashu.proof h2c+blind+unblind+dleq") {
                let k = Scalar.random()
                let K = k.publicKey
                let keyset = try KeysetID(hex: "009a1f293253e41e")
                let items: [(secret: String, r: Scalar, C_: PublicKey, dleq: BlindSignatureDLEQ)] = try (0..<256).map { _ in
                    let data = BlindingData.random(amount: 1, keysetID: keyset)
                    let C_ = BDHKE.sign(data.message.B_, k: k)
                    return (data.secret, data.r, C_, try DLEQ.prove(a: k, B_: data.message.B_))
                }
                var i = 0
                return {
                    let item = items[i & 255]
                    i &+= 1
                    let Y = try BDHKE.hashToCurve(Array(item.secret.utf8))
                    let B_ = try Y.adding(item.r.publicKey)
                    let C = try BDHKE.unblind(item.C_, r: item.r, K: K)
                    guard DLEQ.verify(e: item.dleq.e, s: item.dleq.s, A: K, B_: B_, C_: item.C_), C != item.C_ else {
                        throw BenchFailure("cashu.proof: the DLEQ proof did not verify")
                    }
                }
            },
            BenchCase(name: "cashu.hash_to_curve") {
                let secrets = (0..<256).map { _ in Array(Hex.encode(SecureRandom.bytes(32)).utf8) }
                var i = 0
                return {
                    _ = try BDHKE.hashToCurve(secrets[i & 255]); i &+= 1
                }
            },
        ]
    }

    static var nostr: [BenchCase] {
        [
            BenchCase(name: "schnorr.sign") {
                let key = SecretKey.generate()
                let msg = SecureRandom.bytes(32)
                return { _ = try key.signSchnorr(message: msg) }
            },
            BenchCase(name: "schnorr.verify") {
                let key = SecretKey.generate()
                let msg = SecureRandom.bytes(32)
                let sig = try key.signSchnorr(message: msg)
                let pub = key.xOnlyPublicKey
                return {
                    guard pub.verify(signature: sig, message: msg) else {
                        throw BenchFailure("schnorr.verify: the signature did not verify")
                    }
                }
            },
            BenchCase(name: "event.id+verify.1KB") {
                let event = try oneKilobyteEvent()
                return { try event.verify() }
            },
            BenchCase(name: "event.parse+id+verify.1KB") {
                let json = try oneKilobyteEvent().jsonBytes
                return { try Event(json: json).verify() }
            },
            BenchCase(name: "nip44.encrypt+decrypt.1KB") {
                let a = SecretKey.generate(), b = SecretKey.generate()
                let key = NIP44.conversationKey(a, b.xOnlyPublicKey)
                let text = String(repeating: "loom ", count: 205)
                return {
                    let payload = try NIP44.encrypt(text, conversationKey: key)
                    guard try NIP44.decrypt(payload, conversationKey: key) == text else {
                        throw BenchFailure("nip44: decrypting did not give the plaintext back")
                    }
                }
            },
            BenchCase(name: "nip44.conversation_key") {
                let a = SecretKey.generate(), b = SecretKey.generate().xOnlyPublicKey
                return { _ = NIP44.conversationKey(a, b) }
            },
        ]
    }

    /// A kind-1 event of about 1 KB of JSON, with a few tags like a real note.
    static func oneKilobyteEvent() throws -> Event {
        let key = SecretKey.generate()
        let tags = [["p", key.xOnlyPublicKey.hex], ["t", "loom"], ["expiration", "1900000000"]]
        let content = String(repeating: "0123456789abcdef", count: 44)
        let event = try Event.sign(kind: 1, content: content, tags: tags, with: key)
        precondition((900...1200).contains(event.jsonBytes.count), "1 KB event is \(event.jsonBytes.count) bytes")
        return event
    }
}
