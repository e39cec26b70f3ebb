import Foundation
import GRDB
import Nostr

extension Worker {
    /// The dashboard as of now: gathers rows and facts, then hands them to
    /// the pure `DashboardSnapshot` builder. Reads the journal and the
    /// wallets' databases only; it never calls the mint, a relay or the backend.
    public func dashboard(now: Int64 = Event.now()) async -> DashboardSnapshot {
        let waiting = (try? journal.waiting()) ?? []
        var relays: [RelayHealth] = []
        for connection in pool.connections { relays.append(RelayHealth(url: connection.url, state: await connection.state)) }
        var wallets: [DashboardSnapshot.WalletRow] = []
        for (mint, wallet) in desk.wallets.sorted(by: { $0.key < $1.key }) {
            do {
                wallets.append(.init(mint: mint, balanceSat: try await wallet.balance().value))
            } catch { wallets.append(.init(mint: mint, error: "\(error)")) }
        }
        let inputs = DashboardInputs(
            now: now, accepting: accepting, metrics: metrics(), recent: (try? journal.all(limit: 25)) ?? [],
            settled: (try? journal.settled(since: now - 7 * 86400)) ?? [],
            progress: live.compactMapValues { $0.control.progress }, wallets: wallets, relays: relays,
            mints: desk.wallets.keys.sorted(), waitingOnMint: Dictionary(grouping: waiting, by: \.mint).mapValues(\.count),
            blossomServers: configuration.blossomServers.map(\.absoluteString),
            backend: BackendHealth(
                url: Self.withoutCredentials(configuration.backendURL), models: offered.sorted(), error: modelsError,
                warm: loaded.map { $0.intersection(offered).sorted() }),
            dataDirectory: configuration.dataDirectory.path, heldOff: servingOpen ? nil : servingReason)
        return DashboardSnapshot(inputs)
    }

    /// scheme://host:port only: a backend URL may carry a user and password.
    static func withoutCredentials(_ url: URL) -> String {
        var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? ""
    }
}

extension JobJournal {
    /// Jobs settled with a bill since `since` (Unix seconds): the earnings chart.
    public func settled(since: Int64) throws -> [SettledJob] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT finished_at, charged_sat FROM jobs
                    WHERE state IN ('completed','failed','cancelled') AND charged_sat IS NOT NULL
                      AND finished_at IS NOT NULL AND finished_at >= ?
                    """, arguments: [since]
            ).map { SettledJob(finishedAt: $0["finished_at"], chargedSat: UInt64($0["charged_sat"] as Int64)) }
        }
    }
}
