import Dispatch
import Foundation

/// Runs a child process to completion without blocking Swift's cooperative
/// threads. There are only as many of those as cores (two on CI), and a test
/// that sat in `waitUntilExit()` or a blocking pipe read on one of them
/// starved every other test in the process, in-process servers included.
/// Pipes are drained on GCD threads and the exit arrives through the
/// termination handler.
public enum ChildProcess {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data
    }

    /// Starts `process` with fresh pipes for stdout and stderr (and stdin when
    /// `stdin` is given, else /dev/null) and waits for it to exit.
    public static func run(_ process: Process, stdin: Data? = nil) async throws -> Output {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = {
            exited.continuation.yield($0.terminationStatus); exited.continuation.finish()
        }
        try process.run()
        if let input, let stdin {
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        async let stdoutData = drain(out)
        async let stderrData = drain(err)
        // A test cancelled by its time limit must not go on waiting for a
        // command that hangs: the kill ends it, and the test with it.
        let pid = process.processIdentifier
        let status = await withTaskCancellationHandler {
            var statuses = exited.stream.makeAsyncIterator()
            return await statuses.next() ?? -1
        } onCancel: {
            kill(pid, SIGKILL)
        }
        return Output(status: status, stdout: await stdoutData, stderr: await stderrData)
    }

    /// Reads a pipe to its end on a GCD thread.
    static func drain(_ pipe: Pipe) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile()) }
        }
    }
}
