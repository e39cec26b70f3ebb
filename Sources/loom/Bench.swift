import ArgumentParser
import Foundation
import Cashu
import Nostr
import Secp256k1

/// `loom bench`: single-threaded throughput of the hot paths, in operations
/// per second. Build with `-c release` for numbers worth recording
/// (`make bench`); docs/PERFORMANCE.md keeps them with the command.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of signing, verifying and encrypting on one core (the Cashu proof work also on all cores)."
    )

    @Option(help: "Seconds to spend on each benchmark.") var seconds: Double = 2
    @Option(help: "Run only the benchmarks whose name contains this text.") var filter: String?
    @Flag(help: "Print JSON lines.") var json = false

    func run() async throws {
        var results: [BenchResult] = []
        for bench in BenchCases.all where filter.map({ bench.name.contains($0) }) ?? true {
            results.append(try bench.measure(seconds: seconds))
            // Proof checks parallelise across a token's proofs; show what the machine does with all cores.
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if bench.name.hasPrefix("cashu.proof"), cores > 1 {
                results.append(try bench.measureParallel(seconds: seconds, threads: cores))
            }
        }
        if filter.map({ "blossom".contains($0) || $0.contains("blossom") }) ?? true {
            results += try await BlossomBench.run(seconds: seconds)
        }
        if filter.map({ "inference".contains($0) || $0.contains("inference") }) ?? true {
            results += try await InferenceBench.run(seconds: seconds)
        }
        if filter.map({ "worker".contains($0) || $0.contains("worker") }) ?? true {
            results += try await WorkerBench.run(seconds: seconds)
        }
        for result in results {
            if json {
                print(try JSONOutput.string(result))
            } else {
                let rate = String(format: "%12.0f", result.opsPerSecond)
                let per = String(format: "%8.2f", result.seconds == 0 ? 0 : 1e6 / result.opsPerSecond)
                let name = result.name.padding(toLength: 58, withPad: " ", startingAt: 0)
                if result.name.hasSuffix(")") {  // a measure with its own unit, named in the parentheses
                    print("\(name) \(String(format: "%12.1f", result.opsPerSecond))")
                } else {
                    print("\(name) \(rate) ops/s  \(per) µs/op")
                }
            }
        }
    }
}

struct BenchResult: Encodable {
    let name: String
    let iterations: Int
    let seconds: Double
    let opsPerSecond: Double
}

struct BenchCase {
    let name: String
    /// Prepares the state once, then returns the operation to repeat.
    let setup: () throws -> () throws -> Void

    func measure(seconds: Double) throws -> BenchResult {
        let op = try setup()
        for _ in 0..<100 { try op() }  // warm caches and lazy statics
        let clock = ContinuousClock()
        var iterations = 0
        let start = clock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        // Batches of 64 keep the clock out of the measured loop.
        while clock.now - start < budget {
            for _ in 0..<64 { try op() }
            iterations += 64
        }
        let elapsed = clock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return BenchResult(name: name, iterations: iterations, seconds: secs, opsPerSecond: Double(iterations) / secs)
    }
}

enum BenchCases {
    static var all: [BenchCase] { nostr + cashu }

    /// The wallet's work per proof: hash_to_curve, blind, unblind, and the
    /// DLEQ check of the mint's signature (the mint's signing is set up
    /// beforehand and not counted).
    static var cashu: [BenchCase] { [
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
                guard DLEQ.verify(e: item.dleq.e, s: item.dleq.s, A: K, B_: B_, C_: item.C_), C != item.C_ else { throw BenchFailure() }
            }
        },
        BenchCase(name: "cashu.hash_to_curve") {
            let secrets = (0..<256).map { _ in Array(Hex.encode(SecureRandom.bytes(32)).utf8) }
            var i = 0
            return { _ = try BDHKE.hashToCurve(secrets[i & 255]); i &+= 1 }
        },
    ] }

    static var nostr: [BenchCase] { [
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
            return { guard pub.verify(signature: sig, message: msg) else { throw BenchFailure() } }
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
                guard try NIP44.decrypt(payload, conversationKey: key) == text else { throw BenchFailure() }
            }
        },
        BenchCase(name: "nip44.conversation_key") {
            let a = SecretKey.generate(), b = SecretKey.generate().xOnlyPublicKey
            return { _ = NIP44.conversationKey(a, b) }
        },
    ] }

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

struct BenchFailure: Error {}
