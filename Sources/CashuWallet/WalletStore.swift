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

    public init(path: String) throws {
        db = try openMoneyDatabase(path: path, migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
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

public enum OperationKind: String, Sendable, Codable { case receive, send, mint, melt, restore }
