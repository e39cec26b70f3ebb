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
                The pause holds across restarts until it ends.
                """
        )
        @Option(help: "Data directory of the worker. Default: $DATA_DIR, else ~/.loom.")
        var dataDir: String?

        @Option(name: .customLong("for"), help: "How long, e.g. 30m, 2h, 1d. Default: until `loom worker resume`.")
        var duration: String?

        func validate() throws {
            if let duration, (DurationText.seconds(duration) ?? 0) <= 0 {
                throw ValidationError(
                    "--for \(duration) is not a duration: write a whole number with s, m, h or d, e.g. --for 2h")
            }
        }

        func run(_ console: Console) async throws {
            let directory = Defaults.dataDirectory(dataDir)
            let now = Int64(Date().timeIntervalSince1970)
            let pause = LoomWorker.Pause(since: now, until: duration.flatMap(DurationText.seconds).map { now + $0 })
            do { try PauseFile(dataDirectory: directory).write(pause) } catch {
                throw CLIError("cannot write \(PauseFile(dataDirectory: directory).url.path): \(error)")
            }
            let applied = await ServingConfirmation.wait(dataDirectory: directory) { $0.paused }
            console.print(pause.description.replacingOccurrences(of: "paused by the operator", with: "paused"))
            console.print(ServingConfirmation.line(applied, directory: directory, applied: "the worker stopped taking jobs"))
        }
    }

    struct Resume: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "End a pause: the worker takes jobs again (if its serving policy lets it)."
        )
        @Option(help: "Data directory of the worker. Default: $DATA_DIR, else ~/.loom.")
        var dataDir: String?

        func run(_ console: Console) async throws {
            let directory = Defaults.dataDirectory(dataDir)
            let file = PauseFile(dataDirectory: directory)
            let removed: Bool
            do { removed = try file.remove() } catch { throw CLIError("cannot remove \(file.url.path): \(error)") }
            guard removed else { return console.print("not paused") }
            let applied = await ServingConfirmation.wait(dataDirectory: directory) { !$0.paused }
            console.print("resumed")
            console.print(ServingConfirmation.line(applied, directory: directory, applied: "the worker applied it"))
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

    static func line(_ outcome: Outcome, directory: URL, applied: String) -> String {
        switch outcome {
        case .applied(let status): "\(applied): serving \(status.serving ? "yes" : "no") (\(status.reason))"
        case .notRunning: "no worker is running on \(directory.path); it applies when the worker starts"
        case .noAnswer: "the worker on \(directory.path) has not applied it yet; see `loom worker status`"
        }
    }
}
