import Foundation

/// The batch output file: one line per finished request, appended and
/// synced as it finishes, so an interrupted batch keeps every answer it got.
actor BatchOutput {
    let handle: FileHandle

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(_ line: String) {
        handle.write(Data((line + "\n").utf8))
        try? handle.synchronize()
    }
}

/// Done, failed, sats spent and an ETA: redrawn on a terminal's stderr as lines finish.
actor BatchProgress {
    let total: Int
    let skipped: Int
    let live: Bool
    let console: Console
    let started = ContinuousClock.now
    private(set) var finished = 0
    private(set) var failed = 0
    private(set) var spent: UInt64 = 0
    /// The caps of the lines running: the most they may still take.
    private(set) var reserved: UInt64 = 0

    init(total: Int, skipped: Int, live: Bool, console: Console) {
        self.total = total
        self.skipped = skipped
        self.live = live
        self.console = console
    }

    /// Holds `amount` for a line about to start when the batch's cap leaves room for it.
    func reserve(_ amount: UInt64, cap: UInt64?) -> Bool {
        if let cap, Self.sum(Self.sum(spent, reserved), amount) > cap { return false }
        reserved = Self.sum(reserved, amount)
        return true
    }

    func done(costSat: UInt64, failed didFail: Bool, reserved held: UInt64 = 0) {
        finished += 1
        if didFail { failed += 1 }
        reserved -= min(held, reserved)
        spent = Self.sum(spent, costSat)
        if live { console.writeError("\r\u{1B}[K" + line) }
    }

    static func sum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (total, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : total
    }

    var line: String {
        let elapsed = ContinuousClock.now - started
        let perLine = finished > 0 ? Double(elapsed.components.seconds) / Double(finished) : 0
        let eta = Int(perLine * Double(total - finished))
        return "\(finished)/\(total) done · \(failed) failed · \(spent) sat spent · ETA \(eta) s"
    }

    var summary: String {
        (live ? "\r\u{1B}[K" : "")
            + "batch: \(finished - failed) answered, \(failed) failed, \(total - finished) not run, \(skipped) already in the output; \(spent) sat spent"
    }
}
