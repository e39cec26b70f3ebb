import CashuWallet
import Foundation
import GRDB
import LoomProtocol

/// The worker's durable memory of every job (SQLite, WAL, synchronous FULL).
///
/// Rule: a job's row reaches the disk before any network call that depends
/// on it — the swap of its token, the change, the result — so a restart can
/// finish what a crash interrupted. State changes go through `move`, which
/// refuses any step `JobState` does not allow.
public final class JobJournal: Sendable {
    let db: DatabasePool

    public init(path: String) throws {
        db = try openMoneyDatabase(path: path, migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("jobs-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id TEXT PRIMARY KEY, client TEXT NOT NULL, model TEXT NOT NULL, mint TEXT NOT NULL,
                        request_event TEXT, state TEXT NOT NULL, reason_code TEXT,
                        paid_sat INTEGER NOT NULL, input_fee_sat INTEGER NOT NULL, budget_seconds INTEGER NOT NULL,
                        received_at INTEGER NOT NULL, expires_at INTEGER, started_at INTEGER,
                        elapsed_ms INTEGER NOT NULL, finished_at INTEGER, ending TEXT,
                        charged_sat INTEGER, change_sat INTEGER, mint_fee_sat INTEGER, bill TEXT,
                        change_token TEXT, result_event TEXT, published INTEGER NOT NULL);
                    CREATE INDEX jobs_state ON jobs(state);
                    """)
        }
        // The price per job, and jobs waiting on the mint.
        m.registerMigration("jobs-v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN msat_per_second INTEGER;
                    ALTER TABLE jobs ADD COLUMN min_seconds INTEGER;
                    ALTER TABLE jobs ADD COLUMN max_seconds INTEGER;
                    ALTER TABLE jobs ADD COLUMN waiting TEXT;
                    ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE jobs ADD COLUMN next_retry_at INTEGER;
                    """)
        }
        return m
    }

    public func job(_ id: String) throws -> JobRecord? {
        try db.read { try JobRecord.fetchOne($0, key: id) }
    }

    public func contains(_ id: String) throws -> Bool { try db.read { try JobRecord.exists($0, key: id) } }

    /// Inserts a new job; false when the id is already there (another relay's copy won).
    @discardableResult
    public func insert(_ record: JobRecord) throws -> Bool {
        try db.write { db in
            if try JobRecord.exists(db, key: record.id) { return false }
            try record.insert(db)
            return true
        }
    }

    /// Applies `change` to the row in one transaction and returns the result.
    /// A state change inside `change` must be one `JobState` allows.
    @discardableResult
    public func update(_ id: String, _ change: @Sendable (inout JobRecord) throws -> Void) throws -> JobRecord {
        try db.write { db in
            guard var record = try JobRecord.fetchOne(db, key: id) else { throw JournalError.unknownJob(id) }
            let before = record.state
            try change(&record)
            if record.state != before { _ = try before.moving(to: record.state) }
            try record.update(db)
            return record
        }
    }

    /// Moves a job to `state` (checked against the state machine).
    @discardableResult
    public func move(
        _ id: String, to state: JobState, _ change: @Sendable (inout JobRecord) -> Void = { _ in }
    ) throws -> JobRecord {
        try update(id) { record in
            record.state = state
            change(&record)
        }
    }

    /// Jobs the worker still owes something: not final, or final with a result not yet on a relay.
    public func unfinished() throws -> [JobRecord] {
        try db.read { db in
            try JobRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM jobs WHERE state NOT IN ('completed','failed','cancelled','rejected')
                       OR (result_event IS NOT NULL AND published = 0) ORDER BY received_at, rowid
                    """)
        }
    }

    public func all(limit: Int = 100) throws -> [JobRecord] {
        try db.read {
            try JobRecord.fetchAll(
                $0, sql: "SELECT * FROM jobs ORDER BY received_at DESC, rowid DESC LIMIT ?", arguments: [limit])
        }
    }

    /// Jobs settled with a bill, and the sats they earned (charges, dust included).
    public func earnings() throws -> (jobs: Int, sat: UInt64) {
        try db.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, COALESCE(SUM(charged_sat), 0) AS s FROM jobs
                    WHERE state IN ('completed','failed','cancelled') AND charged_sat IS NOT NULL
                    """)!
            return (row["n"], UInt64(row["s"] as Int64))
        }
    }
}

public enum JournalError: Error, CustomStringConvertible {
    case unknownJob(String)
    /// The change token is not worth what the bill says: a bug, refused rather than published.
    case changeMismatch(job: String, bill: UInt64, token: UInt64)
    public var description: String {
        switch self {
        case .unknownJob(let id): "job \(id) is not in the journal"
        case .changeMismatch(let id, let bill, let token):
            "job \(id): the bill shows \(bill) sat change, the token holds \(token)"
        }
    }
}

extension JobJournal {
    /// How many jobs are in each state, for `loom worker status`.
    /// Jobs not final yet that wait on the mint, oldest first.
    public func waiting() throws -> [JobRecord] {
        try db.read { db in
            try JobRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM jobs WHERE waiting IS NOT NULL AND state NOT IN ('completed','failed','cancelled','rejected')
                    ORDER BY received_at
                    """)
        }
    }

    public func countsByState() throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                out[row["state"]] = row["n"]
            }
            return out
        }
    }
}
