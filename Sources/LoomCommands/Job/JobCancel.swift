import ArgumentParser
import LoomClient
import LoomProtocol

extension JobCommand {
    struct Cancel: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel one of your jobs (kind 5102 to its worker).",
            discussion:
                "Before payment nothing is taken; a running job stops and is billed as a normal end (the minimum applies).")

        @OptionGroup var client: ClientOptions
        @Argument(help: "The job id (hex, or the start of a journaled job's id as `loom job list` shows it), note1… or nevent1….")
        var job: String
        @Option(help: "A public reason (plain text on the relay).") var reason: String = ""
        @Flag(help: "Print one JSON object.") var json = false

        func run(_ console: Console) async throws {
            let id = try JobClient.jobID(from: job, journal: try? ClientJournal(dataDirectory: client.directory))
            let loom = try await client.client(mint: nil, console)
            let event = try await loom.cancel(jobID: id, reason: reason)
            struct Out: Encodable { let job_id: String; let cancel_event: String; let worker: String }
            let worker = event.tagValues(LoomTag.pubkey).first ?? ""
            let out = Out(job_id: id, cancel_event: event.id, worker: worker)
            if json { try console.printJSON(out) } else { console.print("cancel \(event.id) sent for job \(id)") }
            await loom.close()
        }
    }
}
