import Foundation
import NostrRelay

/// Earnings over a window ending now, in equal buckets, oldest first: the
/// dashboard's bar chart. A job counts in the bucket its settlement fell in.
public struct EarningsSeries: Sendable, Hashable, Codable {
    /// The first bucket's start (Unix seconds).
    public var start: Int64
    public var bucketSeconds: Int64
    public var sat: [UInt64]
    public var totalSat: UInt64

    /// The chart's windows: an hour in 5-minute bars, a day in hours, a week in 6-hour bars.
    public enum Window: Sendable {
        case hour, day, week
        var bucketSeconds: Int64 {
            switch self {
            case .hour: 300
            case .day: 3600
            case .week: 6 * 3600
            }
        }
        var buckets: Int {
            switch self {
            case .hour: 12
            case .day: 24
            case .week: 28
            }
        }
    }

    /// The last bucket ends at the end of the current bucket-aligned slot,
    /// so bars do not slide under the operator's eyes between refreshes.
    public init(_ window: Window, jobs: [SettledJob], now: Int64) {
        bucketSeconds = window.bucketSeconds
        let end = (now / bucketSeconds + 1) * bucketSeconds
        start = end - bucketSeconds * Int64(window.buckets)
        var sat = [UInt64](repeating: 0, count: window.buckets)
        for job in jobs where job.finishedAt >= start && job.finishedAt < end {
            sat[Int((job.finishedAt - start) / bucketSeconds)] += job.chargedSat
        }
        self.sat = sat
        totalSat = sat.reduce(0, +)
    }
}

/// A relay connection's state when the dashboard was asked.
public struct RelayHealth: Sendable, Hashable {
    public var url: String
    public var state: RelayConnection.State
    public init(url: String, state: RelayConnection.State) {
        self.url = url
        self.state = state
    }
}

extension DashboardSnapshot {
    /// Relays, mints, Blossom servers and the backend, judged from what the
    /// worker has seen (no probe: refreshing the page must not hit the mint).
    static func health(_ inputs: DashboardInputs) -> [HealthRow] {
        var rows = inputs.relays.map { relay -> HealthRow in
            let (status, detail): (String, String) =
                switch relay.state {
                case .connected: ("ok", "connected")
                case .idle, .connecting: ("degraded", "connecting")
                case .waitingToReconnect(let attempt): ("down", "unreachable, retry \(attempt)")
                case .closed: ("down", "closed")
                }
            return HealthRow(component: "relay", name: relay.url, status: status, detail: detail)
        }
        for mint in inputs.mints {
            let wallet = inputs.wallets.first { $0.mint == mint }
            if let error = wallet?.error {
                rows.append(HealthRow(component: "mint", name: mint, status: "down", detail: "wallet: \(error)"))
            } else if let waiting = inputs.waitingOnMint[mint], waiting > 0 {
                rows.append(
                    HealthRow(
                        component: "mint", name: mint, status: "degraded",
                        detail: "\(waiting) job(s) waiting for the mint to answer"))
            } else {
                rows.append(HealthRow(component: "mint", name: mint, status: "ok", detail: "no job waiting on it"))
            }
        }
        // The newest job that tried an upload says whether Blossom took it.
        let lastUpload = inputs.recent.lazy.compactMap { record -> Ending? in
            guard let json = record.ending,
                let ending = try? JSONDecoder().decode(Ending.self, from: Data(json.utf8)),
                ending.uploadError != nil || !ending.outputs.isEmpty
            else { return nil }
            return ending
        }.first
        for server in inputs.blossomServers {
            let row: HealthRow =
                switch lastUpload {
                case .none: HealthRow(component: "blossom", name: server, status: "unknown", detail: "no upload yet")
                case .some(let e) where e.uploadError != nil:
                    HealthRow(component: "blossom", name: server, status: "down", detail: "last upload failed")
                case .some: HealthRow(component: "blossom", name: server, status: "ok", detail: "last upload stored")
                }
            rows.append(row)
        }
        let backend = inputs.backend
        let status = backend.error != nil ? "down" : backend.models.isEmpty ? "degraded" : "ok"
        let detail =
            backend.error.map { "models not listed: \($0)" }
            ?? (backend.models.isEmpty
                ? "no model offered"
                : backend.models.joined(separator: ", ") + (backend.warm.map { "; loaded now: \(Self.list($0))" } ?? ""))
        rows.append(HealthRow(component: "backend", name: backend.url, status: status, detail: detail))
        return rows
    }

    static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
}
