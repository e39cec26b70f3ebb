import Blossom
import Foundation
import GRDB

/// One row of the index: what the server knows about a blob apart from its bytes.
struct BlobRecord: Sendable, Equatable {
    var sha256: String
    var size: Int64
    var type: String
    var uploaded: Int64
}

/// The SQLite index (GRDB, WAL): blobs and who uploaded them. A blob has
/// one row however many pubkeys uploaded it, and one `owner` row per pubkey,
/// so a delete by one owner does not take the blob from the others.
struct BlobIndex: Sendable {
    private let db: DatabasePool

    init(path: String) throws {
        db = try DatabasePool(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blob (
                        sha256 TEXT PRIMARY KEY NOT NULL,
                        size INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        uploaded INTEGER NOT NULL
                    );
                    CREATE TABLE owner (
                        sha256 TEXT NOT NULL REFERENCES blob(sha256) ON DELETE CASCADE,
                        pubkey TEXT NOT NULL,
                        uploaded INTEGER NOT NULL,
                        PRIMARY KEY (sha256, pubkey)
                    );
                    CREATE INDEX owner_by_pubkey ON owner(pubkey, uploaded);
                    """)
        }
        try migrator.migrate(db)
    }

    func blob(_ sha256: String) async throws -> BlobRecord? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT sha256, size, type, uploaded FROM blob WHERE sha256 = ?", arguments: [sha256])
                .map(Self.record)
        }
    }

    /// Records an upload. Returns the stored record and whether the blob is new
    /// (201) or was already there (200, and the first type and time are kept).
    func add(_ record: BlobRecord, owner: String) async throws -> (BlobRecord, created: Bool) {
        try await db.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO blob (sha256, size, type, uploaded) VALUES (?, ?, ?, ?)",
                arguments: [record.sha256, record.size, record.type, record.uploaded])
            let created = db.changesCount > 0
            try db.execute(
                sql: "INSERT OR IGNORE INTO owner (sha256, pubkey, uploaded) VALUES (?, ?, ?)",
                arguments: [record.sha256, owner, record.uploaded])
            let stored = try Row.fetchOne(
                db, sql: "SELECT sha256, size, type, uploaded FROM blob WHERE sha256 = ?",
                arguments: [record.sha256]
            ).map(Self.record)
            return (stored ?? record, created)
        }
    }

    enum Removal: Equatable { case notFound, notOwner, ownerRemoved, blobRemoved }

    /// Drops `pubkey`'s ownership; the blob row goes with its last owner and
    /// the caller then deletes the file.
    func remove(_ sha256: String, owner pubkey: String) async throws -> Removal {
        try await db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM blob WHERE sha256 = ?", arguments: [sha256]) != nil else {
                return .notFound
            }
            try db.execute(sql: "DELETE FROM owner WHERE sha256 = ? AND pubkey = ?", arguments: [sha256, pubkey])
            guard db.changesCount > 0 else { return .notOwner }
            let left = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM owner WHERE sha256 = ?", arguments: [sha256]) ?? 0
            guard left == 0 else { return .ownerRemoved }
            try db.execute(sql: "DELETE FROM blob WHERE sha256 = ?", arguments: [sha256])
            return .blobRemoved
        }
    }

    /// BUD-12 listing: newest upload by this pubkey first, ties broken by hash
    /// so the `cursor` (last hash of the previous page) is unambiguous.
    func list(pubkey: String, since: Int64?, until: Int64?, cursor: String?, limit: Int) async throws -> [BlobRecord] {
        try await db.read { db in
            var sql = """
                SELECT b.sha256, b.size, b.type, o.uploaded FROM owner o JOIN blob b ON b.sha256 = o.sha256
                WHERE o.pubkey = ?
                """
            var args: [any DatabaseValueConvertible] = [pubkey]
            if let since { sql += " AND o.uploaded >= ?"; args.append(since) }
            if let until { sql += " AND o.uploaded <= ?"; args.append(until) }
            if let cursor,
                let at = try Int64.fetchOne(
                    db, sql: "SELECT uploaded FROM owner WHERE pubkey = ? AND sha256 = ?",
                    arguments: [pubkey, cursor])
            {
                sql += " AND (o.uploaded < ? OR (o.uploaded = ? AND o.sha256 < ?))"
                args += [at, at, cursor]
            }
            sql += " ORDER BY o.uploaded DESC, o.sha256 DESC LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.record)
        }
    }

    private static func record(_ row: Row) -> BlobRecord {
        BlobRecord(sha256: row[0], size: row[1], type: row[2], uploaded: row[3])
    }
}
