import ArgumentParser
import Foundation
import Nostr
import Secp256k1

/// `loom bench`: single-threaded throughput of the hot paths, in operations
/// per second. Build with `-c release` for numbers worth recording
/// (`make bench`); docs/PERFORMANCE.md keeps them with the command.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of signing, verifying and encrypting on one core."
    )

    @Option(help: "Seconds to spend on each benchmark.") var seconds: Double = 2
    @Option(help: "Run only the benchmarks whose name contains this text.") var filter: String?
    @Flag(help: "Print JSON lines.") var json = false

    func run() throws {
        for bench in BenchCases.all where filter.map({ bench.name.contains($0) }) ?? true {
            let result = try bench.measure(seconds: seconds)
            if json {
                print(try JSONOutput.string(result))
            } else {
                let rate = String(format: "%12.0f", result.opsPerSecond)
                let per = String(format: "%8.2f", 1e6 / result.opsPerSecond)
                print("\(bench.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(rate) ops/s  \(per) µs/op")
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
    static var all: [BenchCase] { nostr }

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
