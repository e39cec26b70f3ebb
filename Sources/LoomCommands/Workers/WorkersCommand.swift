import ArgumentParser
import Foundation
import LoomClient
import Nostr

/// `loom workers`: the live offers on the relays, cheapest first.
struct WorkersCommand: LoomCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List live workers (kind-10100 offers), cheapest first.",
        discussion: """
            Expired offers (NIP-40) and workers that announced they are offline are not shown. Each worker's \
            record comes from this client's journal (every job sent to it): `new` (fewer than 3 jobs completed: \
            one call at a time), `ok completed/jobs`, or `AVOID <finding>` when it kept a payment without a \
            result, billed above its price, returned fake change, … (docs/CLIENT.md, "Worker records"). An \
            avoided worker gets no call from `--worker auto`, `loom gateway` or `loom job batch` until \
            `loom workers --forgive <npub>` (or `all`); its earlier jobs stay in the journal.
            """)

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
    @Option(
        help: "Forgive this worker (npub or hex; `all` for every worker on record): its findings so far no longer count.")
    var forgive: String?

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 (seconds)") }
    }

    func run(_ console: Console) async throws {
        try client.ensureDirectory()
        let journal = try ClientJournal(dataDirectory: client.directory)
        let forgiveness = WorkerForgiveness(journal: journal)
        if let forgive { return try self.forgive(forgive, journal: journal, forgiveness: forgiveness, console) }
        let records = WorkerRecord.build(journal.all(), forgiven: forgiveness.load())
        let pool = try client.pool(console)
        let offers = try await WorkerDirectory(pool: pool).offers(
            WorkerFilter(model: model, maxMsatPerSecond: maxPrice, mint: mint),
            timeout: .seconds(timeout))
        let now = Event.now()
        if json {
            try console.printJSON(offers.map { WorkerRow($0, now: now, record: records[$0.worker]) })
        } else if offers.isEmpty {
            console.warn("no live worker" + (model.map { " serves \($0)" } ?? "") + " on \(pool.urls.joined(separator: ", "))")
        } else {
            for offer in offers { console.print(WorkerRow(offer, now: now, record: records[offer.worker]).line) }
        }
        await pool.close()
    }

    func forgive(_ who: String, journal: ClientJournal, forgiveness: WorkerForgiveness, _ console: Console) throws {
        let workers: [String]
        if who == "all" {
            workers = Array(Set(journal.all().map(\.worker))).sorted()
        } else {
            do { workers = [try NIP19.publicKey(from: who).hex] } catch {
                throw CLIError("--forgive \(who.prefix(80)): not an npub, nprofile or 64-hex key, nor `all`")
            }
        }
        try forgiveness.forgive(workers, at: Event.now())
        console.warn("forgave \(workers.count) worker(s): their findings so far no longer count; the journal keeps them")
    }
}
