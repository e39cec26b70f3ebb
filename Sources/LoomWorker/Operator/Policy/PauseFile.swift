import Foundation

/// The control channel of `loom worker pause`/`resume`: `<data>/pause.json`,
/// mode 0600 in the data directory (0700), which holds the wallets and so is
/// already reachable by the operator's user alone. The worker reads it every
/// second; the file is also the pause's journal, so a pause holds across
/// restarts until its end (docs/ARCHITECTURE.md, "Serving policy").
public struct PauseFile: Sendable {
    public let url: URL

    public init(dataDirectory: URL) { url = dataDirectory.appendingPathComponent("pause.json") }

    /// The pause asked for, or nil (none, or a file that is not one: it is
    /// ignored rather than trusted, and `loom worker resume` removes it).
    public func read() -> Pause? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(Pause.self, from: data)
    }

    /// Written whole (a temporary file renamed over the old one), so the
    /// worker never reads half a pause.
    public func write(_ pause: Pause) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = directory.appendingPathComponent(".pause.json.\(ProcessInfo.processInfo.processIdentifier)")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: try JSONEncoder().encode(pause), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path]) }
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Ends the pause; true if there was one.
    @discardableResult
    public func remove() throws -> Bool {
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }
}
