import Foundation
import GRDB

/// Opens an SQLite database that holds money (the wallet, the worker's job
/// journal): WAL (a `DatabasePool`), synchronous FULL so a committed
/// transaction survives power loss and not only a crash, the file private
/// to its owner (0600), and `migrator` applied.
public func openMoneyDatabase(path: String, migrator: DatabaseMigrator) throws -> DatabasePool {
    var config = Configuration()
    // Another process (an operator's `loom wallet` beside the worker) may
    // hold the write lock for a moment: wait for it instead of failing.
    config.busyMode = .timeout(15)
    config.prepareDatabase { db in
        try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    let pool = try DatabasePool(path: path, configuration: config)
    try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    try migrator.migrate(pool)
    return pool
}
