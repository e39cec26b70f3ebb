import ArgumentParser
import Foundation
import LoomClient
import LoomProtocol
import Nostr

/// `loom job …`: submit, watch, cancel and list paid jobs.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit, watch, cancel and list jobs.",
        subcommands: [JobSubmit.self, JobWatch.self, JobCancelCommand.self, JobList.self])
}

/// Exit codes of `loom job submit` and `loom job watch`, one per ending.
enum JobExit {
    static let completed: Int32 = 0
    static let other: Int32 = 1
    static let rejected: Int32 = 2
    static let failed: Int32 = 3
    static let cancelled: Int32 = 4
    static let timeout: Int32 = 5

    static func code(_ status: JobOutcome.Status) -> Int32 {
        switch status {
        case .completed: completed
        case .rejected: rejected
        case .failed: failed
        case .cancelled: cancelled
        case .timeout: timeout
        }
    }

    static let help = """
        Exit codes: 0 completed, 2 rejected (nothing taken; the payment is reclaimed), \
        3 failed (billed for time served, rest returned as change), 4 cancelled, \
        5 timeout (no final state in time; `loom job watch` resumes), 1 any other error.
        """
}

struct JobCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel one of your jobs (kind 5102 to its worker).",
        discussion: "Before payment nothing is taken; a running job stops and is billed as a normal end (the minimum applies).")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The job id (hex, or the start of a journaled job's id as `loom job list` shows it), note1… or nevent1….") var job: String
    @Option(help: "A public reason (plain text on the relay).") var reason: String = ""
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await reportingFailures {
            let id = try JobClient.jobID(from: job, journal: try? ClientJournal(dataDirectory: client.directory))
            let loom = try await client.client(mint: nil)
            let event = try await loom.cancel(jobID: id, reason: reason)
            struct Out: Encodable { let job_id: String; let cancel_event: String; let worker: String }
            let worker = event.tagValues(LoomTag.pubkey).first ?? ""
            let out = Out(job_id: id, cancel_event: event.id, worker: worker)
            print(json ? try JSONOutput.string(out) : "cancel \(event.id) sent for job \(id)")
            await loom.close()
        }
    }
}
