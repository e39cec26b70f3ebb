import Foundation

/// What a command wrote to a `Console.capturing` console.
public final class ConsoleCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    public var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    public var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    fileprivate func append(_ data: Data, toStderr: Bool) {
        lock.withLock {
            if toStderr { err.append(data) } else { out.append(data) }
        }
    }
}

extension Console {
    /// A console for a command run in process: stdin is `stdin`, stdout and
    /// stderr go to the capture, no stream is a terminal unless `terminals` says so.
    public static func capturing(stdin: String = "", terminals: Terminals = .none) -> (Console, ConsoleCapture) {
        let capture = ConsoleCapture()
        let console = Console(
            terminals: terminals,
            output: { stream, text in capture.append(Data(text.utf8), toStderr: stream == .stderr) },
            outputData: { capture.append($0, toStderr: false) },
            input: { Data(stdin.utf8) })
        return (console, capture)
    }
}
