import ArgumentParser
import Foundation
import LoomWorker

extension WorkerCommand {
    /// `loom worker pause [--for 2h]`: the operator's manual switch, through
    /// the pause file in the data directory (`PauseFile`), which the running
    /// worker reads every second and which holds across restarts.
    struct Pause: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause",
            abstract: "Stop taking jobs until `loom worker resume`, or for a while (--for 2h).",
            discussion: """
                The running worker advertises accepting: false, refuses new requests (not-accepting), \
                refunds its queue in full and lets running jobs finish within SHUTDOWN_GRACE. \
                The pause holds across restarts until it ends. Run it where the worker's .env is \
                (or pass --env-file or --data-dir): it acts on that worker's data directory.
                """
        )
        @OptionGroup var directory: OperatorDirectoryOptions

        @Option(name: .customLong("for"), help: "How long, e.g. 30m, 2h, 1d. Default: until `loom worker resume`.")
        var duration: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        func validate() throws {
            if let duration, (DurationText.seconds(duration) ?? 0) <= 0 {
                throw ValidationError(
                    "--for \(duration) is not a duration: write a whole number with s, m, h or d, e.g. --for 2h")
            }
        }

        func run(_ console: Console) async throws {
            let resolved = try self.directory.resolve()
            let now = Int64(Date().timeIntervalSince1970)
            let pause = LoomWorker.Pause(since: now, until: duration.flatMap(DurationText.seconds).map { now + $0 })
            let file = PauseFile(dataDirectory: resolved.url)
            do { try file.write(pause) } catch { throw CLIError("cannot write \(file.url.path): \(error)") }
            let applied = await ServingConfirmation.wait(dataDirectory: resolved.url) { $0.paused }
            let said = pause.description.replacingOccurrences(of: "paused by the operator", with: "paused")
            try ServingConfirmation.report(
                said, applied, directory: resolved, appliedText: "the worker stopped taking jobs", json: json, to: console)
        }
    }

    struct Resume: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "End a pause: the worker takes jobs again (if its serving policy lets it)."
        )
        @OptionGroup var directory: OperatorDirectoryOptions

        @Flag(help: "Print one JSON object.")
        var json = false

        func run(_ console: Console) async throws {
            let resolved = try self.directory.resolve()
            let file = PauseFile(dataDirectory: resolved.url)
            let removed: Bool
            do { removed = try file.remove() } catch { throw CLIError("cannot remove \(file.url.path): \(error)") }
            // Not paused here: still say where we looked, and whether a worker runs there.
            let applied =
                removed
                ? await ServingConfirmation.wait(dataDirectory: resolved.url) { !$0.paused }
                : ServingConfirmation.current(dataDirectory: resolved.url)
            try ServingConfirmation.report(
                removed ? "resumed" : "not paused", applied, directory: resolved, appliedText: "the worker applied it",
                json: json, to: console)
        }
    }
}

/// Waits for the running worker to show a pause or resume in `serving.json`.
enum ServingConfirmation {
    enum Outcome { case applied(ServingStatus), notRunning, noAnswer }

    static func wait(dataDirectory: URL, until done: (ServingStatus) -> Bool) async -> Outcome {
        // The worker reads the pause file every second; 10 s leaves room for a busy machine.
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            guard let status = ServingStatus.read(dataDirectory: dataDirectory), status.writerIsRunning else {
                return .notRunning
            }
            if done(status) { return .applied(status) }
            guard ContinuousClock.now < deadline else { return .noAnswer }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// What a worker running on `dataDirectory` shows now, without waiting.
    static func current(dataDirectory: URL) -> Outcome {
        guard let status = ServingStatus.read(dataDirectory: dataDirectory), status.writerIsRunning else {
            return .notRunning
        }
        return .applied(status)
    }

    static func line(_ outcome: Outcome, directory: URL, applied: String) -> String {
        switch outcome {
        case .applied(let status): "\(applied): serving \(status.serving ? "yes" : "no") (\(status.reason))"
        case .notRunning:
            "no worker is running on \(directory.path): nothing changed yet; it applies when a worker starts on it "
                + "(is the worker's .env in another folder? run this there, or pass --env-file or --data-dir)"
        case .noAnswer: "the worker on \(directory.path) has not applied it within 10 s; see `loom worker status`"
        }
    }

    /// Prints what was done, where, and whether a running worker took it:
    /// the data directory first, a mismatched `.env` as a warning, then the outcome.
    static func report(
        _ said: String, _ outcome: Outcome, directory: OperatorDirectory, appliedText: String, json: Bool,
        to console: Console
    ) throws {
        if let mismatch = directory.mismatch { console.warn("warning: \(mismatch)") }
        if json {
            struct Out: Encodable {
                let done: String, data_dir: String, source: String
                @Nullable var env_file: String?
                @Nullable var mismatch: String?
                /// "applied", "not-running" or "no-answer".
                let worker: String
                @Nullable var serving: Bool?
                @Nullable var reason: String?
                let message: String
            }
            let (worker, status): (String, ServingStatus?) =
                switch outcome {
                case .applied(let status): ("applied", status)
                case .notRunning: ("not-running", nil)
                case .noAnswer: ("no-answer", nil)
                }
            return try console.printJSON(
                Out(
                    done: said, data_dir: directory.url.path, source: directory.source.rawValue,
                    env_file: directory.envFile, mismatch: directory.mismatch, worker: worker,
                    serving: status?.serving, reason: status?.reason,
                    message: line(outcome, directory: directory.url, applied: appliedText)))
        }
        console.print(directory.line)
        console.print(said)
        console.print(line(outcome, directory: directory.url, applied: appliedText))
    }
}
