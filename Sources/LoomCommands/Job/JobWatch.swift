import ArgumentParser
import Foundation
import LoomClient

extension JobCommand {
    struct Watch: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Follow a job's status until its result; redeem its change if it is yours.",
            discussion: """
                The worker comes from the client journal, else from the request on the relays. \
                With --json, each status change is one JSON line and the last line is the outcome object of `loom job submit --json`.

                \(JobCommand.exitCodesHelp)
                """)

        @OptionGroup var client: ClientOptions
        @Argument(help: "The job id (hex, or the start of a journaled job's id as `loom job list` shows it), note1… or nevent1….")
        var job: String
        @Option(
            help: """
                Mint of the wallet that takes the change. Used when the job is not in the journal \
                (the journal knows the payment's mint). Default: $CASHU_MINT_URL.
                """)
        var mint: String?
        @Option(help: "Seconds to wait for the result.") var timeout: Int = 600
        @Flag(help: "JSON lines.") var json = false

        func run(_ console: Console) async throws {
            let id = try JobClient.jobID(from: job, journal: try? ClientJournal(dataDirectory: client.directory))
            let loom = try await client.client(mint: journaledMint(id) ?? Defaults.mint(mint), console)
            let (worker, request, _) = try await loom.locate(id)
            // Anyone may watch a job's public statuses; only its author can open the result and take the change.
            let ours = request.pubkey == loom.pubkey
            if ours { _ = await loom.redeemPendingChange(id) }
            let live = !json && console.terminals.stderr
            let outcome = try await loom.follow(jobID: id, worker: worker, readsResult: ours, timeout: .seconds(timeout)) { p in
                if json {
                    console.printNow((try? JSONOutput.string(p)) ?? "{}")
                } else if live {
                    ProgressLine.show(p, on: console)
                } else {
                    console.print(ProgressLine.text(p))
                }
            }
            if live { ProgressLine.end(on: console) }
            JobReport.print(outcome, nevent: loom.nevent(id), json: json, on: console)
            await loom.close()
            if outcome.status != .completed { throw CLIError.exit(ExitStatus(outcome.status)) }
        }

        /// The mint the journaled payment came from, so change lands in the same wallet.
        func journaledMint(_ id: String) -> String? {
            guard let journal = try? ClientJournal(dataDirectory: client.directory), let job = journal.load(id) else {
                return nil
            }
            return job.mint
        }
    }
}
