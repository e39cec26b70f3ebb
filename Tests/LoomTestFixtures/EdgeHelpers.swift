import Foundation
import Logging

/// Helpers for the configuration, whitelist, advertiser and `loom whitelist`
/// tests. Conditions are awaited with generous deadlines, never timed.
public struct EdgeTimeout: Error, CustomStringConvertible {
    let what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds; fails after `timeout` (generous: the
/// machine may be loaded, and a slow pass is still a pass).
public func edgeEventually(
    _ what: String, timeout: Duration = .seconds(60),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw EdgeTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(100))
    }
}

public func edgeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["LOOM_TEST_LOG"] == nil ? .critical : .debug
    return logger
}

public func edgeTemporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("loom-\(name)-\(UUID().uuidString)")
}
