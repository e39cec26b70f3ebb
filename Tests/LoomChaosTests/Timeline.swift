import Foundation

/// What happened when, relative to the start of the chaos phase, written to
/// `timeline.log` as it happens so a hung run can be read too.
final class Timeline: @unchecked Sendable {
    private let lock = NSLock()
    private var start = Date()
    private var marked: [String] = []
    private let handle: FileHandle?

    init(file: URL) {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        handle = try? FileHandle(forWritingTo: file)
    }

    /// Time zero: the chaos begins (marks made during setup are dropped).
    func restart() {
        lock.withLock {
            start = Date()
            marked = []
        }
    }

    var origin: Date { lock.withLock { start } }

    func note(_ text: String) {
        lock.withLock {
            let line = String(format: "t%+7.2fs  ", Date().timeIntervalSince(start)) + text + "\n"
            handle?.write(Data(line.utf8))
        }
    }

    /// A note the report repeats in its header: kills, restarts, the operator.
    func mark(_ text: String) {
        note(text)
        lock.withLock { marked.append(String(format: "t%+.1fs ", Date().timeIntervalSince(start)) + text) }
    }

    var marks: [String] { lock.withLock { marked } }
}
