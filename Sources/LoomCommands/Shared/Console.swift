import Foundation

/// Where a command reads and writes: the process's stdin, stdout and stderr
/// (`Console.standard`), or buffers when a test runs a command in process
/// (`Console.capturing`). Commands never call `print` or `FileHandle` themselves.
public struct Console: Sendable {
    /// Which streams are terminals: the live progress line, short job ids
    /// and reading a prompt from stdin depend on it.
    public struct Terminals: Sendable {
        public var stdin: Bool
        public var stdout: Bool
        public var stderr: Bool

        public init(stdin: Bool, stdout: Bool, stderr: Bool) {
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
        }

        public static let none = Terminals(stdin: false, stdout: false, stderr: false)
    }

    enum Stream: Sendable {
        /// stdout through Swift's buffer, as `print` writes it.
        case stdout
        /// stdout at once, so that a pipe (`| jq`) sees each line as it comes.
        case stdoutNow
        case stderr
    }

    public let terminals: Terminals
    private let output: @Sendable (Stream, String) -> Void
    private let outputData: @Sendable (Data) -> Void
    private let input: @Sendable () -> Data

    init(
        terminals: Terminals, output: @escaping @Sendable (Stream, String) -> Void,
        outputData: @escaping @Sendable (Data) -> Void, input: @escaping @Sendable () -> Data
    ) {
        self.terminals = terminals
        self.output = output
        self.outputData = outputData
        self.input = input
    }

    /// The process's own streams.
    public static var standard: Console {
        Console(
            terminals: Terminals(stdin: isatty(0) == 1, stdout: isatty(1) == 1, stderr: isatty(2) == 1),
            output: { stream, text in
                switch stream {
                case .stdout: Swift.print(text, terminator: "")
                case .stdoutNow: FileHandle.standardOutput.write(Data(text.utf8))
                case .stderr: FileHandle.standardError.write(Data(text.utf8))
                }
            },
            outputData: { FileHandle.standardOutput.write($0) },
            input: { FileHandle.standardInput.readDataToEndOfFile() })
    }

    /// A line on stdout.
    func print(_ line: String) { output(.stdout, line + "\n") }

    /// A line on stdout at once (live output: events, status changes).
    func printNow(_ line: String) { output(.stdoutNow, line + "\n") }

    /// Text on stdout at once, without a newline (a streamed job's output as it comes).
    func writeNow(_ text: String) { output(.stdoutNow, text) }

    /// Bytes on stdout as they are (a downloaded blob, a decrypted message).
    func write(_ data: Data) { outputData(data) }

    /// One `--json` value on stdout, as every command writes it (`JSONOutput`).
    func printJSON(_ value: some Encodable) throws { print(try JSONOutput.string(value)) }

    /// A line on stderr: warnings, errors, summaries beside the output.
    func warn(_ line: String) { output(.stderr, line + "\n") }

    /// Text on stderr without a newline (the progress line redrawn in place).
    func writeError(_ text: String) { output(.stderr, text) }

    /// All of stdin.
    func readInput() -> String { String(decoding: input(), as: UTF8.self) }
}
