import ArgumentParser
import Foundation
import LoomClient

extension JobCommand {
    /// `loom job list`: the jobs in the client journal, newest first.
    struct List: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the jobs in the client journal, newest first.",
            discussion: """
                Reads <data dir>/jobs only; nothing goes to the relays. A job is settled once it reached a final state \
                and none of its money is in flight (a payment token we may still reclaim, or change not yet redeemed). \
                `loom job watch <job id>` follows a job that is not settled and settles its money. \
                Tokens are never printed, only whether there is one.
                """)

        @Option(help: "Data directory holding the job journal (jobs/). Default: $DATA_DIR, else ~/.loom.")
        var dataDir: String?
        @Flag(help: "Only jobs that are not settled.") var unsettled = false
        @Option(help: "Show at most this many jobs (the newest).") var limit: Int?
        @Flag(help: "Print one JSON array.") var json = false

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run(_ console: Console) async throws {
            let data = Defaults.dataDirectory(dataDir)
            let folder = data.appendingPathComponent("jobs").path
            // Listing must not create the journal (opening it would), so look first.
            let everything = FileManager.default.fileExists(atPath: folder) ? try ClientJournal(dataDirectory: data).all() : []
            var jobs = Array(everything.reversed())
            if unsettled { jobs = jobs.filter { $0.stage != .settled } }
            if let limit { jobs = Array(jobs.prefix(limit)) }
            let rows = jobs.map(JobListRow.init)
            if json { return try console.printJSON(rows) }
            guard !rows.isEmpty else {
                return console.warn(
                    everything.isEmpty
                        ? "no jobs in \(folder)"
                        : "no unsettled jobs in \(folder) (\(everything.count) settled; drop --unsettled to see them)")
            }
            let short = console.terminals.stdout
            for row in rows { console.print(row.line(shortID: short)) }
            if let newest = rows.first(where: { $0.stage != JournaledJob.Stage.settled.rawValue }) {
                let count = rows.filter { $0.stage != JournaledJob.Stage.settled.rawValue }.count
                console.print(
                    "\(count) not settled; follow one with `loom job watch <job id>`, e.g.\n  loom job watch \(newest.job_id)")
            }
        }
    }
}
