import ArgumentParser
import Cashu
import Foundation
import LoomClient
import LoomGateway
import Nostr

extension JobCommand {
    /// `loom job batch`: an OpenAI batch input file across the market.
    struct Batch: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "batch",
            abstract: "Run an OpenAI batch file (JSONL) across live workers, paying per line from the wallet.",
            discussion: """
                Each input line is {"custom_id", "method": "POST", "url": "/v1/chat/completions" or "/v1/completions", \
                "body"}; each output line is {"id", "custom_id", "response": {"status_code", "request_id", "body"}, \
                "error"}, appended to --output as lines finish. Lines run as `loom gateway` calls do (cheapest live \
                worker with a free slot, failover, change redeemed), at most --concurrency at once. Run the same \
                command again after an interruption: lines already in --output are skipped, and a line whose job \
                was paid before the interruption is followed to its result from the client journal, never paid twice.
                """)

        @OptionGroup var client: ClientOptions
        @Argument(help: "The batch input file (JSONL).") var input: String
        @Option(name: .shortAndLong, help: "The output file (JSONL), appended to.") var output: String
        @Option(help: "Lines run at once.") var concurrency = 8
        @Option(
            help:
                "The most the whole batch may take from the wallet (fees and failed lines included): a line starts only while its --max-sat-per-call still fits."
        ) var maxSat: UInt64?
        @Option(help: "The most one line may take from the wallet, mint fees included.") var maxSatPerCall: UInt64 = 100
        @Option(help: "Mint of the wallet to pay from. Default: first of $CASHU_MINT_URL.") var mint: String?
        @Option(help: "Seconds a worker has to publish its first status before the next one is tried.")
        var statusTimeout = 15

        func validate() throws {
            guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        }

        func run(_ console: Console) async throws {
            guard let text = try? String(contentsOfFile: input, encoding: .utf8) else { throw CLIError("cannot read \(input)") }
            var lines: [BatchFormat.Line] = []
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                do { lines.append(try BatchFormat.parse(String(raw), number: i + 1)) } catch { throw CLIError(error.message) }
            }
            guard Set(lines.map(\.customID)).count == lines.count else {
                throw CLIError("\(input): custom_id values must be unique")
            }
            let outputPath = URL(fileURLWithPath: output).standardizedFileURL.path
            let done = BatchFormat.answeredIDs(in: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
            let todo = lines.filter { !done.contains($0.customID) }
            guard let mintURL = Defaults.mint(mint) else {
                throw CLIError("no mint to pay from: pass --mint URL or set CASHU_MINT_URL")
            }
            let loom = try await client.client(mint: Token.normalizeMintURL(mintURL), console)
            guard let wallet = loom.wallet else { throw CLIError("no wallet at \(mintURL)") }
            let perLine = min(maxSatPerCall, maxSat ?? .max)
            let engine = GatewayEngine(
                client: loom, wallet: wallet,
                configuration: GatewayConfiguration(
                    maxSatPerCall: perLine, maxConcurrent: concurrency, statusTimeoutSeconds: statusTimeout))
            let sink = try BatchOutput(path: outputPath)
            let progress = BatchProgress(total: todo.count, skipped: done.count, live: console.terminals.stderr, console: console)
            // Each line may take up to its cap, so a line starts only when what the batch
            // spent plus every running line's cap leaves room for one more: --max-sat is
            // never exceeded, whatever the workers do.
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                lines: for line in todo {
                    while true {
                        if running == concurrency {
                            await group.next()
                            running -= 1
                        }
                        if await progress.reserve(perLine, cap: maxSat) { break }
                        // No room while lines run: wait for one to free its reservation.
                        guard running > 0 else { break lines }
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask {
                        await Self.run(
                            line, output: outputPath, engine: engine, sink: sink, progress: progress, reserved: perLine)
                    }
                }
            }
            let summary = await progress.summary
            console.warn(summary)
            await loom.close()
            let (failed, finished) = (await progress.failed, await progress.finished)
            if failed > 0 || finished < todo.count { throw CLIError.exit(.failure) }
        }

        static func run(
            _ line: BatchFormat.Line, output: String, engine: GatewayEngine, sink: BatchOutput, progress: BatchProgress,
            reserved: UInt64
        ) async {
            var request = line.request
            request.via = BatchFormat.via(output: output, customID: line.customID, bodyHash: line.bodyHash)
            do throws(CallFailure) {
                var result: CallResult?
                if let earlier = engine.journaledJob(via: request.via) {
                    do { result = try await engine.resume(earlier, request: request) } catch { throw CallFailure(error) }
                }
                if result == nil { result = try await engine.perform(request) }
                guard let result else { return }
                let answer = OpenAIAnswer(
                    endpoint: request.endpoint, jobID: result.jobID, created: Event.now(), model: request.model)
                let body = answer.complete(text: result.text, finishReason: result.finishReason, usage: result.usage)
                await sink.append(BatchFormat.answered(customID: line.customID, jobID: result.jobID, body: body))
                await progress.done(costSat: result.costSat, failed: false, reserved: reserved)
            } catch {
                // A failed line still took what its attempts kept (fees, a payment a worker
                // took without answering): the batch's --max-sat counts it.
                await sink.append(BatchFormat.failed(customID: line.customID, error: error.error))
                await progress.done(costSat: error.spentSat, failed: true, reserved: reserved)
            }
        }
    }
}
