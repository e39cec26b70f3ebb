/// What an operator scrapes from `/metrics`, read from the running worker and
/// its journal at scrape time. Sampling instead of counting in the hot path
/// keeps the numbers consistent with `loom worker status` (same journal) and
/// costs the job pipeline nothing.
public struct WorkerMetrics: Sendable, Hashable {
    public var running = 0
    public var queued = 0
    public var accepting = true
    /// Jobs in the journal by their current state (completed, failed, rejected, …).
    public var jobsByState: [String: Int] = [:]
    /// Sats charged over all settled jobs.
    public var earnedSat: UInt64 = 0
    /// Requests refused with a status / dropped unanswered (since start).
    public var rejected = 0
    public var dropped = 0

    public init() {}

    public init(snapshot: WorkerSnapshot, jobsByState: [String: Int]) {
        running = snapshot.running
        queued = snapshot.queued
        accepting = snapshot.accepting
        self.jobsByState = jobsByState
        earnedSat = snapshot.earningsSat
        rejected = snapshot.rejected
        dropped = snapshot.dropped
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func prometheusText() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP loom_\(name) \(help)\n# TYPE loom_\(name) \(type)\n"
            for sample in samples { out += "loom_\(name)\(sample.labels) \(sample.value)\n" }
        }
        metric("jobs_running", "gauge", "Jobs running now.", [("", "\(running)")])
        metric("jobs_queued", "gauge", "Paid jobs waiting for a slot.", [("", "\(queued)")])
        metric("accepting", "gauge", "1 while the worker takes new jobs.", [("", accepting ? "1" : "0")])
        metric(
            "jobs", "gauge", "Jobs in the journal by current state.",
            jobsByState.sorted { $0.key < $1.key }.map { ("{state=\"\(Self.escape($0.key))\"}", "\($0.value)") })
        metric("earned_sat_total", "counter", "Sats charged over all settled jobs.", [("", "\(earnedSat)")])
        metric("requests_rejected_total", "counter", "Requests refused with a status since start.", [("", "\(rejected)")])
        metric(
            "requests_dropped_total", "counter", "Requests dropped unanswered since start (wrong p, size, whitelist, signature).",
            [("", "\(dropped)")])
        return out
    }

    /// Label values escape backslash, quote and newline, as the format asks.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension Worker {
    /// The metrics as of now.
    public func metrics() -> WorkerMetrics {
        WorkerMetrics(snapshot: snapshot(), jobsByState: (try? journal.countsByState()) ?? [:])
    }
}
