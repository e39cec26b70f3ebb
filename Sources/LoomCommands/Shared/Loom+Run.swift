import ArgumentParser

extension Loom {
    /// Parses `arguments` (without the program's name), runs the command
    /// against `console` and returns its exit code. Nothing here exits the
    /// process, so tests run commands in process exactly as `loom` runs them.
    public static func run(_ arguments: [String], console: Console = .standard) async -> Int32 {
        let parsed: any ParsableCommand
        do {
            parsed = try await asyncParseAsRoot(arguments)
        } catch {
            return ErrorReport.parsing(error, to: console)
        }
        guard let command = parsed as? any LoomCommand else {
            // A group without its subcommand, or ArgumentParser's own `help`:
            // both end by asking for a help text, which ArgumentParser renders.
            return ErrorReport.parsing(helpRequest(parsed), to: console)
        }
        do {
            try await command.run(console)
            return ExitStatus.success.rawValue
        } catch {
            return ErrorReport.running(error, to: console)
        }
    }

    /// What running a command that is not a `LoomCommand` throws (nothing else runs it).
    private static func helpRequest(_ parsed: any ParsableCommand) -> any Error {
        var command = parsed
        do {
            try command.run()
            return CleanExit.message("")
        } catch {
            return error
        }
    }
}
