import Foundation

/// What the serving policy last decided and its recent transitions, as the
/// running worker writes them to `<data>/serving.json` for `loom worker
/// status` (which reads the data directory, not the worker).
public struct ServingStatus: Sendable, Codable, Equatable {
    public struct Transition: Sendable, Codable, Equatable {
        public var at: Int64
        public var serving: Bool
        public var reason: String
        public var detail: String
    }

    public var serving: Bool
    public var reason: String
    public var detail: String
    public var mode: String
    /// Unix seconds of the last transition.
    public var since: Int64
    public var pausedUntil: Int64?
    public var paused: Bool
    /// The worker's process, so a reader can tell a live state from a stale one.
    public var pid: Int32
    /// Newest last, at most `keep`.
    public var transitions: [Transition]

    static let keep = 50

    /// True when the process that wrote it still runs.
    public var writerIsRunning: Bool { kill(pid, 0) == 0 || errno == EPERM }

    static func file(_ dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("serving.json") }

    public static func read(dataDirectory: URL) -> ServingStatus? {
        guard let data = FileManager.default.contents(atPath: file(dataDirectory).path) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(Self.self, from: data)
    }

    func write(dataDirectory: URL) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: Self.file(dataDirectory), options: .atomic)
    }
}
