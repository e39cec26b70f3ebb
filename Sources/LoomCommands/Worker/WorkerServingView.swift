import Foundation
import LoomWorker

/// The serving part of `loom worker status`: the policy's state from
/// `serving.json`, whether its worker still runs, and the pause file.
struct ServingView: Encodable {
    /// Whether the worker that wrote the state still runs; if not, the state is its last.
    let worker_running: Bool
    let serving: Bool
    let reason: String
    let detail: String
    let mode: String
    let since: Int64
    /// The pause in the data directory now (it may outlive the worker): until (Unix seconds), or null for none.
    let paused: Bool
    let paused_until: Int64?
    let transitions: [ServingStatus.Transition]

    init?(dataDirectory: URL) {
        let pause = PauseFile(dataDirectory: dataDirectory).read().flatMap { $0.isActive(at: Date()) ? $0 : nil }
        let status = ServingStatus.read(dataDirectory: dataDirectory)
        guard status != nil || pause != nil else { return nil }
        worker_running = status?.writerIsRunning ?? false
        serving = (status?.serving ?? false) && worker_running
        reason = status?.reason ?? "paused"
        detail = status?.detail ?? pause?.description ?? ""
        mode = status?.mode ?? ""
        since = status?.since ?? pause?.since ?? 0
        paused = pause != nil
        paused_until = pause?.until
        transitions = status?.transitions ?? []
    }

    var lines: [String] {
        func time(_ t: Int64) -> String { Date(timeIntervalSince1970: TimeInterval(t)).formatted(.iso8601) }
        var out: [String] = []
        if worker_running {
            out.append("serving: \(serving ? "yes" : "no") (\(reason): \(detail)) since \(time(since))")
        } else {
            out.append("serving: the worker is not running (last: \(reason), \(detail))")
        }
        if paused {
            out.append("paused " + (paused_until.map { "until \(time($0))" } ?? "until `loom worker resume`"))
        }
        for t in transitions.suffix(5) {
            out.append("  \(time(t.at))  \(t.serving ? "serve" : "stop ")  \(t.reason): \(t.detail)")
        }
        return out
    }
}
