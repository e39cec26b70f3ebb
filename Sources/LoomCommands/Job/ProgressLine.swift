import Foundation
import LoomClient

/// A job's progress as one line: redrawn in place on a terminal's stderr,
/// or printed once per change (`loom job watch` into a pipe).
enum ProgressLine {
    static func text(_ p: JobProgress) -> String {
        var parts = [p.state.rawValue]
        let elapsed = String(format: "%.1f", Double(p.elapsedMs) / 1000)
        parts.append(p.budgetSeconds.map { "\(elapsed)/\($0) s" } ?? "\(elapsed) s")
        parts.append("\(p.tokens) tokens")
        parts.append(String(format: "%.3f sat", Double(p.costMsat) / 1000))
        if let q = p.queuePosition { parts.append("queue #\(q)") }
        if let r = p.reason { parts.append("\(r.code): \(r.message)") }
        return parts.joined(separator: " · ")
    }

    static func show(_ p: JobProgress, on console: Console) {
        console.writeError("\r\u{1B}[K" + text(p))
    }

    static func end(on console: Console) { console.writeError("\r\u{1B}[K") }
}
