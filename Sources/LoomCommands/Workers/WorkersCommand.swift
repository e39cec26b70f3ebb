import ArgumentParser
import Foundation
import LoomClient
import LoomProtocol
import Nostr
import Secp256k1

/// `loom workers`: the live offers on the relays, cheapest first.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List live workers (kind-10100 offers), cheapest first.",
        discussion: "Expired offers (NIP-40) and workers that announced they are offline are not shown.")

    @OptionGroup var client: ClientOptions
    @Option(help: "Only workers serving this model.") var model: String?
    @Option(help: "Only workers charging at most this many msat per second.") var maxPrice: UInt64?
    @Option(help: "Only workers taking ecash from this mint.") var mint: String?
    @Option(help: "Seconds to wait at most for the relays' stored offers. The list comes as soon as every relay has answered or failed to connect.")
    var timeout: Int = 10
    @Flag(help: "Print one JSON array.") var json = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 (seconds)") }
    }

    func run() async throws {
        try await reportingFailures {
            let pool = try client.pool()
            let offers = try await WorkerDirectory(pool: pool).offers(WorkerFilter(model: model, maxMsatPerSecond: maxPrice, mint: mint),
                                                                         timeout: .seconds(timeout))
            let now = Event.now()
            if json {
                print(try JSONOutput.string(offers.map { WorkerRow($0, now: now) }))
            } else if offers.isEmpty {
                Console.warn("no live worker" + (model.map { " serves \($0)" } ?? "") + " on \(pool.urls.joined(separator: ", "))")
            } else {
                for offer in offers { print(WorkerRow(offer, now: now).line) }
            }
            await pool.close()
        }
    }
}

/// One worker as `loom workers` shows it.
struct WorkerRow: Encodable {
    let name: String
    let npub: String
    let models: [String]
    let msat_per_second: UInt64
    let sat_per_second: Double
    let sat_per_minute: Double
    let min_seconds: UInt64
    let max_seconds: UInt64
    let mints: [String]
    let max_concurrent: Int
    let running: Int
    let queued: Int
    let age_seconds: Int64
    let expires_in_seconds: Int64

    init(_ offer: WorkerOffer, now: Int64) {
        let ad = offer.advertisement
        name = ad.name
        npub = (try? XOnlyPublicKey(hex: offer.worker).npub) ?? offer.worker
        models = ad.models
        msat_per_second = ad.pricing.msatPerSecond
        sat_per_second = Double(ad.pricing.msatPerSecond) / 1000
        sat_per_minute = Double(ad.pricing.msatPerSecond) * 60 / 1000
        min_seconds = ad.pricing.minSeconds
        max_seconds = ad.pricing.maxSeconds
        mints = ad.mints
        max_concurrent = ad.capacity.maxConcurrent
        running = ad.capacity.running
        queued = ad.capacity.queued
        age_seconds = max(0, now - offer.createdAt)
        expires_in_seconds = offer.expiresAt - now
    }

    var line: String {
        let price = String(format: "%.3f sat/s (%.2f sat/min)", sat_per_second, sat_per_minute)
        return "\(name)  \(npub)\n  models: \(models.joined(separator: ", "))\n  price: \(price), \(min_seconds)–\(max_seconds) s\n"
            + "  mints: \(mints.joined(separator: ", "))\n  capacity: \(running)/\(max_concurrent) running, \(queued) queued; offer \(age_seconds) s old"
    }
}
