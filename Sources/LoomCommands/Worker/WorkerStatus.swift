import ArgumentParser
import Foundation
import LoomWorker

extension WorkerCommand {
    struct Status: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the journal: jobs by state, the queue, earnings and recent jobs."
        )
        @OptionGroup var directory: OperatorDirectoryOptions

        @Option(help: "How many recent jobs to list.")
        var limit = 10

        @Flag(help: "Print one JSON object.")
        var json = false

        func run(_ console: Console) async throws {
            let resolved = try self.directory.resolve()
            if let mismatch = resolved.mismatch { console.warn("warning: \(mismatch)") }
            let directory = resolved.url.path
            let path = directory + "/jobs.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError(
                    "no job journal at \(path) (\(resolved.line)): run this from the worker's folder (its .env), "
                        + "pass --data-dir, or run `loom worker run` first")
            }
            let journal = try JobJournal(path: path)
            let recent = try journal.all(limit: max(limit, 0))
            let earned = try journal.earnings()
            let counts = try journal.countsByState()
            let waiting = try journal.waiting()
            struct Job: Encodable {
                let id: String, state: String, model: String, paid_sat: UInt64, charged_sat: UInt64?, change_sat: UInt64?
                let elapsed_ms: UInt64, reason: String?, received_at: Int64, published: Bool, waiting: String?
            }
            struct Out: Encodable {
                let data_dir: String
                let states: [String: Int]; let jobs_done: Int; let earnings_sat: UInt64; let recent: [Job]
                /// Jobs not final yet because a mint has not answered (payment or change).
                let waiting: [Job]
                /// The serving policy's state, as the worker last wrote it; nil before the first run.
                let serving: ServingView?
            }
            func row(_ r: JobRecord) -> Job {
                Job(
                    id: r.id, state: r.state.rawValue, model: r.model, paid_sat: r.paidSat, charged_sat: r.chargedSat,
                    change_sat: r.changeSat, elapsed_ms: r.elapsedMs, reason: r.reasonCode, received_at: r.receivedAt,
                    published: r.published, waiting: r.waiting)
            }
            let out = Out(
                data_dir: directory, states: counts, jobs_done: earned.jobs, earnings_sat: earned.sat, recent: recent.map(row),
                waiting: waiting.map(row), serving: ServingView(dataDirectory: URL(fileURLWithPath: directory)))
            if json { return try console.printJSON(out) }
            console.print(resolved.line)
            for line in out.serving?.lines ?? [] { console.print(line) }
            console.print("jobs done: \(earned.jobs), earned: \(earned.sat) sat")
            console.print("queued: \(counts["queued", default: 0]), running: \(counts["running", default: 0])")
            console.print(
                "by state: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            if !waiting.isEmpty {
                console.print(
                    "waiting on the mint: \(waiting.count) (retried with backoff while the worker runs; `loom doctor` checks the mint)"
                )
                for job in out.waiting {
                    console.print("  \(job.id.prefix(16))  \(job.state)  paid \(job.paid_sat) sat  \(job.waiting ?? "")")
                }
            }
            for job in out.recent {
                let money = job.charged_sat.map { " charged \($0) sat, change \(job.change_sat ?? 0) sat" } ?? ""
                let reason = job.reason.map { " (\($0))" } ?? ""
                console.print("\(job.id.prefix(16))  \(job.state)\(reason)  \(job.model)  paid \(job.paid_sat) sat\(money)")
            }
        }
    }
}
