import Cashu
import Foundation
import GRDB
import Secp256k1

/// The wallet's durable state in SQLite (WAL, synchronous FULL).
///
/// Money rule: whatever a network call needs in order to be recovered — the
/// inputs it spends and the blinded outputs (secret + blinding factor) it asks
/// the mint to sign — is committed here *before* the call is made.
public final class WalletStore: Sendable {
    let db: DatabasePool
    /// The database file; the wallet's lock files sit beside it.
    public let path: String

    public init(path: String) throws {
        self.path = path
        db = try openMoneyDatabase(path: path, migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE keysets (
                        id TEXT PRIMARY KEY, mint TEXT NOT NULL, unit TEXT NOT NULL,
                        active INTEGER NOT NULL, input_fee_ppk INTEGER NOT NULL,
                        keys TEXT NOT NULL, counter INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE operations (
                        id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
                        mint TEXT NOT NULL, unit TEXT NOT NULL,
                        amount INTEGER NOT NULL DEFAULT 0, fee INTEGER NOT NULL DEFAULT 0,
                        quote TEXT, token TEXT, memo TEXT, error TEXT,
                        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                    CREATE TABLE proofs (
                        secret TEXT PRIMARY KEY, amount INTEGER NOT NULL, keyset_id TEXT NOT NULL,
                        c TEXT NOT NULL, dleq TEXT, witness TEXT, mint TEXT NOT NULL,
                        state TEXT NOT NULL, operation_id TEXT REFERENCES operations(id),
                        created_at INTEGER NOT NULL);
                    CREATE INDEX proofs_state ON proofs(mint, state);
                    CREATE TABLE outputs (
                        operation_id TEXT NOT NULL REFERENCES operations(id), position INTEGER NOT NULL,
                        role TEXT NOT NULL, amount INTEGER NOT NULL, keyset_id TEXT NOT NULL,
                        secret TEXT NOT NULL, r TEXT NOT NULL, b TEXT NOT NULL,
                        PRIMARY KEY (operation_id, position));
                    """)
        }
        // Two processes on one wallet, callers' labels, bounded retries.
        m.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    -- The wallet (WalletLease) that is working on the operation.
                    ALTER TABLE operations ADD COLUMN owner TEXT;
                    -- The caller's label (the worker: its job id), to find the operation again after a crash.
                    ALTER TABLE operations ADD COLUMN reference TEXT;
                    -- Requests sent for it, and when recovery may ask the mint again.
                    ALTER TABLE operations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE operations ADD COLUMN next_attempt_at INTEGER;
                    CREATE INDEX operations_reference ON operations(reference);
                    CREATE INDEX operations_memo ON operations(memo);
                    -- Every proof an operation spent, kept when the proof's row moves on
                    -- (to the next operation, or back to unspent): which operation
                    -- swapped a token, and which operations a proof passed through.
                    CREATE TABLE inputs (
                        operation_id TEXT NOT NULL REFERENCES operations(id), secret TEXT NOT NULL,
                        PRIMARY KEY (operation_id, secret));
                    CREATE INDEX inputs_secret ON inputs(secret);
                    """)
        }
        return m
    }

    // MARK: meta

    public func meta(_ key: String) throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try db.write { try $0.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value]) }
    }
}

/// Proof states. `pending`: an operation has sent it to the mint and the
/// outcome is not known yet; `reserved`: set aside by an operation that has
/// not sent it yet; `spent`: gone.
public enum ProofStatus: String, Sendable, Codable { case unspent, pending, reserved, spent }

/// Operation states: `prepared` (journaled, nothing sent), `sent` (request out,
/// outcome unknown), `done`, `failed` (nothing changed hands).
public enum OperationState: String, Sendable, Codable { case prepared, sent, done, failed }

/// `writeoff`: proofs the wallet held as unspent that the mint says are
/// spent, and that no operation of ours spent (recorded so the audit
/// balances and the loss is visible in the history).
public enum OperationKind: String, Sendable, Codable { case receive, send, mint, melt, restore, writeoff }
