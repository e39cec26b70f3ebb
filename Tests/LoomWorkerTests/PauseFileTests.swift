import Foundation
import LoomWorker
import Testing

/// The control channel's file: written whole with mode 0600, read back,
/// ignored when it is not a pause, removed by resume.
@Suite struct PauseFileTests {
    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("loom-pause-\(UUID().uuidString.prefix(8))/data")
    }

    @Test func writeReadRemove() throws {
        let dir = Self.directory()
        let file = PauseFile(dataDirectory: dir)
        #expect(file.read() == nil)
        #expect(try file.remove() == false)
        let pause = Pause(since: 1_000, until: 8_200)
        try file.write(pause)
        #expect(file.read() == pause)
        let mode = try FileManager.default.attributesOfItem(atPath: file.url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir.path)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        try file.write(Pause(since: 2_000, until: nil))
        #expect(file.read()?.until == nil, "replaced whole")
        #expect(try file.remove())
        #expect(file.read() == nil)
    }

    @Test func garbageIsNoPause() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = PauseFile(dataDirectory: dir)
        try Data("{not json".utf8).write(to: file.url)
        #expect(file.read() == nil)
    }

    @Test func pauseEnds() {
        let pause = Pause(since: 0, until: 100)
        #expect(pause.isActive(at: Date(timeIntervalSince1970: 99)))
        #expect(!pause.isActive(at: Date(timeIntervalSince1970: 100)))
        #expect(Pause(since: 0, until: nil).isActive(at: .distantFuture))
        #expect(Pause(since: 0, until: nil).description.contains("loom worker resume"))
    }
}
