import LoomProtocol

/// What a watcher learns from a worker's public status events (kind 30100):
/// the latest state of each job, state changes as they happen, and what the
/// worker earned. Pure: feed it parsed statuses in any order, duplicates
/// included (several relays send the same event), and it keeps only news.
public struct WorkerActivity: Sendable {
    /// A job's state changed (or the job was seen for the first time).
    public struct Change: Sendable, Hashable {
        public let requestID: String
        public let client: String
        public let previous: JobState?
        public let status: JobStatus
        public let at: Int64
    }

    struct Job {
        var status: JobStatus
        var at: Int64
        var client: String
    }

    private var jobs: [String: Job] = [:]
    /// (finished at, msat charged) for jobs that reached a billed terminal state.
    private var earnings: [(at: Int64, msat: UInt64)] = []

    public init() {}

    /// Records `published`; returns the change it brings, or nil for a
    /// repeat, an older status arriving late, or progress within a state
    /// (those still update the job's figures).
    public mutating func observe(_ published: PublishedStatus) -> Change? {
        let id = published.requestID
        if let known = jobs[id] {
            // Relays deliver out of order; a status older than what we hold is stale.
            guard published.createdAt >= known.at else { return nil }
            guard known.status != published.status else { return nil }
            // A terminal state is final: nothing after it counts.
            guard !known.status.status.isTerminal else { return nil }
            jobs[id] = Job(status: published.status, at: published.createdAt, client: published.client)
            guard known.status.status != published.status.status else { return nil }
            if published.status.status.hasBill { earnings.append((published.createdAt, published.status.costMsat)) }
            return Change(
                requestID: id, client: published.client, previous: known.status.status,
                status: published.status, at: published.createdAt)
        }
        jobs[id] = Job(status: published.status, at: published.createdAt, client: published.client)
        if published.status.status.hasBill { earnings.append((published.createdAt, published.status.costMsat)) }
        return Change(requestID: id, client: published.client, previous: nil, status: published.status, at: published.createdAt)
    }

    /// Jobs by their latest state.
    public var counts: [JobState: Int] {
        jobs.values.reduce(into: [:]) { $0[$1.status.status, default: 0] += 1 }
    }

    /// Everything charged by finished jobs seen so far, in whole sats (rounded down).
    public var earnedSat: UInt64 { earnings.reduce(0) { $0 + $1.msat } / 1000 }

    /// Sats charged by jobs that finished in the hour before `now`.
    public func earnedLastHour(now: Int64) -> UInt64 {
        earnings.filter { $0.at > now - 3600 && $0.at <= now }.reduce(0) { $0 + $1.msat } / 1000
    }

    /// Mean tokens per second of the jobs running now, as their statuses report it.
    public var runningTokensPerSecond: Double? {
        let rates = jobs.values.filter { $0.status.status == .running }.compactMap(\.status.tokensPerSecond)
        return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
    }
}
