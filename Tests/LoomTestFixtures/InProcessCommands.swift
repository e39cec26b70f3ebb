import LoomCommands

/// What a `loom` command did when run in this process.
public struct CommandRun: Sendable {
    public let code: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a `loom` command line through `Loom.run`, the path the executable
/// takes, with its output captured by a `Console` instead of a terminal
/// (LoomCommandsTests and LoomCommandsLiveTests; the tests that spawn the
/// built binary use LoomTestSupport's `LoomCLI`).
public func runInProcess(_ arguments: [String], stdin: String = "") async -> CommandRun {
    let (console, capture) = Console.capturing(stdin: stdin)
    let code = await Loom.run(arguments, console: console)
    return CommandRun(code: code, stdout: capture.stdout, stderr: capture.stderr)
}
