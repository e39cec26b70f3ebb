/// The one error a command throws on purpose: a message, printed as
/// `error: …` on stderr, and the exit status. A command that has already said
/// everything (a "no", a job's outcome) ends with `CLIError.exit(_:)`, which
/// prints nothing. Library errors need no wrapping: `ErrorReport` maps them.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public let message: String?
    public let exitCode: ExitStatus

    public init(_ message: String, exitCode: ExitStatus = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    private init(silent exitCode: ExitStatus) {
        message = nil
        self.exitCode = exitCode
    }

    /// Ends the command with `status` and nothing more on stderr.
    public static func exit(_ status: ExitStatus) -> CLIError { CLIError(silent: status) }

    public var description: String { message ?? "exit status \(exitCode.rawValue)" }
}
