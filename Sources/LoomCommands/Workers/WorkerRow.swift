import Foundation
import LoomClient
import LoomProtocol
import Secp256k1

/// One worker as `loom workers` shows it.
struct WorkerRow: Encodable {
    let name: String
    let npub: String
    let models: [String]
    /// Models loaded now; null when the worker does not say.
    @Nullable var warm: [String]?
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
        warm = ad.warm
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
        return
            "\(name)  \(npub)\n  models: \(models.joined(separator: ", "))\n"
            + (warm.map { "  warm: \($0.isEmpty ? "none loaded" : $0.joined(separator: ", "))\n" } ?? "")
            + "  price: \(price), \(min_seconds)–\(max_seconds) s\n"
            + "  mints: \(mints.joined(separator: ", "))\n  capacity: \(running)/\(max_concurrent) running, \(queued) queued; offer \(age_seconds) s old"
    }
}
