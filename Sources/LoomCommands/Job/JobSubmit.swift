import ArgumentParser
import Cashu
import Foundation
import LoomClient
import LoomJSON
import LoomProtocol
import Nostr

extension JobCommand {
    struct Submit: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "submit",
            abstract: "Pay for and send a job, wait for its result, redeem the change.",
            discussion: """
                The prompt comes from PROMPT, --file, or stdin (when PROMPT is `-`, or absent and stdin is not a terminal); \
                --messages takes a JSON array of {role, content} instead. An input too large for the worker's requests \
                (its advertised max_request_bytes) is sent as an encrypted blob on the worker's Blossom server \
                (--input-blob always does); the worker must advertise max_input_bytes. The payment is made from the local wallet \
                (the data directory's wallet.sqlite, at --mint) for --seconds of the worker's time plus the mint's input fee, \
                or is the --token you give. With --json, one object is printed: \
                {job_id, nevent, worker, status, output, outputs, usage, bill, change_redeemed_sat, reclaimed_sat, error, warnings}.

                With --stream, the worker sends the output live (encrypted, kind 20100) and it is printed as it comes; \
                the result stays authoritative: text the relays did not deliver is printed from it at the end, so stdout \
                holds the same output either way (a warning on stderr if the live text and the result disagree). \
                With --json --stream, one JSON line per chunk {type: "chunk", job_id, seq, text, tokens, elapsed_ms} \
                (a jump in seq is a missed chunk), then the object above.

                \(JobCommand.exitCodesHelp)
                """)

        @OptionGroup var client: ClientOptions
        @Argument(help: "The prompt; `-` reads stdin.") var prompt: String?
        @Option(help: "Read the prompt from this file.") var file: String?
        @Option(help: "A JSON array of chat messages [{\"role\":\"user\",\"content\":\"…\"}] (or @FILE).") var messages: String?
        @Option(help: "The model; with --worker, defaults to the worker's only model.") var model: String?
        @Option(
            name: .customLong("option"),
            help: "A backend option k=v (repeatable); v is read as JSON when it parses, else as text.")
        var options: [String] = []
        @Option(help: "Seconds of worker time to buy (also the job's max_seconds). Default 60, capped by the worker.")
        var seconds: UInt64?
        @Option(help: "Sats to pay instead of --seconds (fees included).") var budget: UInt64?
        @Option(
            help:
                "The most this job may take from the wallet, mint fees included (a --budget above it raises it): a worker whose price makes the job dearer is refused before paying."
        )
        var maxSat: UInt64 = 1000
        @Option(help: "npub (or hex) of the worker, or `auto` for the cheapest live one with a free slot.")
        var worker: String = "auto"
        @Option(
            help: """
                Pay with this Cashu token (cashuB…) instead of the wallet. \
                Prefer $LOOM_TOKEN: command lines are visible to other users.
                """)
        var token: String?
        @Option(help: "Mint of the wallet to pay from. Default: first of $CASHU_MINT_URL.") var mint: String?
        @Flag(
            help: """
                Send the input as an encrypted blob on the worker's Blossom server. Without it, the input goes \
                as a blob only when the request would exceed the worker's max_request_bytes.
                """)
        var inputBlob = false
        @Flag(help: "P2PK-lock the payment to the worker's key. It cannot then be reclaimed if the job is rejected.")
        var lockToWorker = false
        @Flag(inversion: .prefixedNo, help: "Wait for the result (default) or print the job id and return.") var wait = true
        @Option(help: "Seconds to wait for the result.") var timeout: Int = 600
        @Flag(help: "Print the output live as the worker generates it (with --json: one line per chunk).") var stream = false
        @Flag(help: "Print one JSON object.") var json = false

        func run(_ console: Console) async throws {
            let input = try readInput(console)
            let tokenText = token ?? Defaults.environment("LOOM_TOKEN")
            let workerKey = try workerHex()
            let paymentMint: String?
            if let tokenText {
                do { paymentMint = try Token.decode(tokenText).mint } catch {
                    throw CLIError("--token is not a Cashu token: \(error)")
                }
            } else {
                guard let m = Defaults.mint(mint) else {
                    throw CLIError("no mint to pay from: pass --mint URL, set CASHU_MINT_URL, or pass --token")
                }
                paymentMint = Token.normalizeMintURL(m)
            }
            if let seconds, seconds == 0 { throw CLIError("--seconds must be at least 1") }
            if seconds != nil && budget != nil { throw CLIError("give --seconds or --budget, not both") }
            if stream && !wait { throw CLIError("--stream prints the job as it runs: it cannot be used with --no-wait") }
            let parsedOptions = try parseOptions()
            let loom = try await client.client(mint: paymentMint, console)
            let offer: WorkerOffer
            if let workerKey {
                offer = try await loom.directory.offer(of: workerKey)
            } else {
                guard let model else { throw CLIError("--model is required with --worker auto") }
                // Avoided workers (they cheated this client before) and minimum-seconds traps are skipped.
                let standings = WorkerRecord.build(loom.journal.all(), forgiven: WorkerForgiveness(journal: loom.journal).load())
                    .mapValues(\.standing)
                offer = try await loom.directory.cheapest(
                    model: model, mint: paymentMint, seconds: seconds ?? (budget == nil ? JobOrder.defaultSeconds : nil),
                    standings: standings)
            }
            guard let chosenModel = model ?? (offer.advertisement.models.count == 1 ? offer.advertisement.models[0] : nil) else {
                let models = offer.advertisement.models.joined(separator: ", ")
                throw CLIError("pass --model: worker \(offer.advertisement.name) serves \(models)")
            }
            var order = JobOrder(
                model: chosenModel, input: input, options: parsedOptions, seconds: seconds,
                budgetSat: budget.map { Amount($0) }, lockChange: true, inputBlob: inputBlob)
            // The most this job may take from the wallet: a worker's price never makes it dearer.
            order.maxSat = Amount(max(maxSat, budget ?? 0))
            let source: PaymentSource = tokenText.map { .token($0) } ?? .wallet(lockToWorker: lockToWorker)
            if stream { return try await runStreaming(loom, order: order, offer: offer, source: source, console) }
            let job = try await loom.submit(order, to: offer, paying: source)
            let nevent = loom.nevent(job.jobID)
            if let size = job.inputBlobSize {
                console.warn("note: the input (\(size) bytes) went encrypted to the worker's Blossom server, not in the request")
            }
            guard wait else {
                if json {
                    try console.printJSON(JobOutcomeJSON.submitted(jobID: job.jobID, nevent: nevent, worker: job.worker))
                } else {
                    console.print(job.jobID)
                }
                await loom.close()
                return
            }
            let live = console.terminals.stderr
            if live { console.warn("job \(job.jobID) sent to \(offer.advertisement.name) (\(job.paidSat) sat)") }
            let outcome = try await loom.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(timeout)) { p in
                if live { ProgressLine.show(p, on: console) }
            }
            if live { ProgressLine.end(on: console) }
            JobReport.print(outcome, nevent: nevent, json: json, on: console)
            await loom.close()
            if outcome.status != .completed { throw CLIError.exit(ExitStatus(outcome.status)) }
        }

        func runStreaming(
            _ loom: JobClient, order: JobOrder, offer: WorkerOffer, source: PaymentSource, _ console: Console
        ) async throws {
            let streaming = try await loom.submitStreaming(order, to: offer, paying: source, timeout: .seconds(timeout))
            let job = streaming.job
            if console.terminals.stderr {
                console.warn("job \(job.jobID) sent to \(offer.advertisement.name) (\(job.paidSat) sat)")
            }
            var printer = StreamPrinter(console: console, json: json, jobID: job.jobID)
            let outcome = try await printer.run(streaming.events, nevent: loom.nevent(job.jobID))
            await loom.close()
            guard let outcome else { throw CLIError("the job's stream ended without a result; `loom job watch \(job.jobID)`") }
            if outcome.status != .completed { throw CLIError.exit(ExitStatus(outcome.status)) }
        }

        func workerHex() throws -> String? {
            guard worker != "auto" else { return nil }
            do { return try NIP19.publicKey(from: worker).hex } catch {
                throw CLIError(
                    "--worker \(worker.prefix(80)): not an npub, nprofile or 64-hex key (\(error)); or use --worker auto")
            }
        }

        func readInput(_ console: Console) throws -> JobRequest.Input {
            if let messages {
                let text = messages.hasPrefix("@") ? try readFile(String(messages.dropFirst())) : messages
                guard let parsed = try? JSONDecoder().decode([ChatMessage].self, from: Data(text.utf8)), !parsed.isEmpty else {
                    throw CLIError("--messages must be a non-empty JSON array of {\"role\": …, \"content\": …}")
                }
                return .messages(parsed)
            }
            let text: String
            if let file {
                text = try readFile(file)
            } else if prompt == "-" || (prompt == nil && !console.terminals.stdin) {
                text = console.readInput()
            } else if let prompt {
                text = prompt
            } else {
                throw CLIError("no prompt: give PROMPT, --file, --messages, or pipe it on stdin")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CLIError("the prompt is empty") }
            return .prompt(text)
        }

        func readFile(_ path: String) throws -> String {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)") }
            return text
        }

        func parseOptions() throws -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for pair in options {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    throw CLIError("--option \(pair): expected key=value")
                }
                let key = String(pair[..<eq]), raw = String(pair[pair.index(after: eq)...])
                out[key] = (try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))) ?? .string(raw)
            }
            return out
        }
    }
}
