import Synchronization

/// Counters and gauges an operator scrapes from `/metrics`. One lock around
/// plain integers: updates happen a few times per job (and once per dropped
/// spam request), far too rarely for contention to matter, and a snapshot is
/// consistent across all values.
public final class WorkerMetrics: Sendable {
    public struct Values: Sendable, Hashable {
        /// Kind-5100 events seen, before any check.
        public var requestsSeen = 0
        /// Dropped without an answer: not addressed to us, too large, not on the whitelist.
        public var requestsDropped = 0
        /// Answered with a `rejected` status, by reason code.
        public var rejections: [String: Int] = [:]
        /// Finished jobs, by terminal state (completed, failed, cancelled).
        public var jobsFinished: [String: Int] = [:]
        public var running = 0
        public var queued = 0
        /// Sats kept as charges (after fees), and sats handed back as change.
        public var earnedSat: UInt64 = 0
        public var changeSat: UInt64 = 0
        public var mintFeesSat: UInt64 = 0
        public var tokensGenerated: UInt64 = 0
        public var uploadFailures = 0
        public var publishFailures = 0
    }

    private let state = Mutex(Values())

    public init() {}

    public var values: Values { state.withLock { $0 } }

    public func update(_ change: (inout Values) -> Void) {
        state.withLock { change(&$0) }
    }

    public func requestSeen() { update { $0.requestsSeen += 1 } }
    public func requestDropped() { update { $0.requestsDropped += 1 } }
    public func rejected(_ code: String) { update { $0.rejections[code, default: 0] += 1 } }
    public func finished(_ state: String) { update { $0.jobsFinished[state, default: 0] += 1 } }
}

extension WorkerMetrics.Values {
    /// The Prometheus text exposition format (version 0.0.4).
    public func prometheusText() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP loom_\(name) \(help)\n# TYPE loom_\(name) \(type)\n"
            for sample in samples { out += "loom_\(name)\(sample.labels) \(sample.value)\n" }
        }
        func labelled(_ key: String, _ counts: [String: Int]) -> [(labels: String, value: String)] {
            counts.sorted { $0.key < $1.key }.map { ("{\(key)=\"\(Self.escape($0.key))\"}", String($0.value)) }
        }
        metric("requests_seen_total", "counter", "Job requests (kind 5100) received, before any check.", [("", "\(requestsSeen)")])
        metric("requests_dropped_total", "counter", "Requests dropped unanswered (wrong p, size, whitelist).", [("", "\(requestsDropped)")])
        metric("requests_rejected_total", "counter", "Requests answered with a rejected status, by reason.", labelled("reason", rejections))
        metric("jobs_finished_total", "counter", "Jobs that reached a terminal state, by state.", labelled("state", jobsFinished))
        metric("jobs_running", "gauge", "Jobs running now.", [("", "\(running)")])
        metric("jobs_queued", "gauge", "Paid jobs waiting for a slot.", [("", "\(queued)")])
        metric("earned_sat_total", "counter", "Sats charged for work, after mint fees.", [("", "\(earnedSat)")])
        metric("change_sat_total", "counter", "Sats returned to clients as change.", [("", "\(changeSat)")])
        metric("mint_fees_sat_total", "counter", "Sats paid to mints as input fees.", [("", "\(mintFeesSat)")])
        metric("tokens_generated_total", "counter", "Completion tokens streamed by the backend.", [("", "\(tokensGenerated)")])
        metric("upload_failures_total", "counter", "Outputs no Blossom server would take.", [("", "\(uploadFailures)")])
        metric("publish_failures_total", "counter", "Events no relay accepted.", [("", "\(publishFailures)")])
        return out
    }

    /// Label values escape backslash, quote and newline, as the format asks.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
