import ArgumentParser
import Foundation
import LoomClient
import Nostr

/// `loom workers`: the live offers on the relays, cheapest first.
struct WorkersCommand: LoomCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List live workers (kind-10100 offers), cheapest first.",
        discussion: "Expired offers (NIP-40) and workers that announced they are offline are not shown.")

    @OptionGroup var client: ClientOptions
    @Option(help: "Only workers serving this model.") var model: String?
    @Option(help: "Only workers charging at most this many msat per second.") var maxPrice: UInt64?
    @Option(help: "Only workers taking ecash from this mint.") var mint: String?
    @Option(
        help: """
            Seconds to wait at most for the relays' stored offers. \
            The list comes as soon as every relay has answered or failed to connect.
            """)
    var timeout: Int = 10
    @Flag(help: "Print one JSON array.") var json = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 (seconds)") }
    }

    func run(_ console: Console) async throws {
        let pool = try client.pool(console)
        let offers = try await WorkerDirectory(pool: pool).offers(
            WorkerFilter(model: model, maxMsatPerSecond: maxPrice, mint: mint),
            timeout: .seconds(timeout))
        let now = Event.now()
        if json {
            try console.printJSON(offers.map { WorkerRow($0, now: now) })
        } else if offers.isEmpty {
            console.warn("no live worker" + (model.map { " serves \($0)" } ?? "") + " on \(pool.urls.joined(separator: ", "))")
        } else {
            for offer in offers { console.print(WorkerRow(offer, now: now).line) }
        }
        await pool.close()
    }
}
