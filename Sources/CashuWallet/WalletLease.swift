import Foundation
import Secp256k1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells whether the process that owns a journaled operation is still alive.
///
/// Two processes may open one wallet (the worker serving, an operator's
/// `loom wallet balance`). An operation whose request is still on its way
/// to the mint must not be "recovered" by the other one: settling it as
/// failed frees inputs the mint is about to spend. So every `Wallet` holds
/// an exclusive `flock` on a file named after its owner id, for as long as
/// it lives, and records that id on each operation it starts. The kernel
/// drops the lock when the process dies, however it dies (SIGKILL too), so
/// "the lock is free" means "nobody is working on this any more".
///
/// `flock` locks belong to an open file description, so two wallets in one
/// process exclude each other exactly as two processes do (the tests rely
/// on that).
final class WalletLease: @unchecked Sendable {
    /// This wallet's owner id, stored on the operations it starts.
    let owner: String
    let directory: String
    private let lock = NSLock()
    /// The locked file; -1 once released.
    private var descriptor: Int32

    /// Takes a fresh lease next to the database: `<db>-owners/<owner>.lock`.
    init(databasePath: String) throws {
        directory = databasePath + "-owners"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        owner = Hex.random(8)
        // Locked under a temporary name, then renamed: a sweeping neighbour
        // never sees an unlocked file with our name and removes it.
        let temporary = directory + "/" + owner + ".tmp"
        let fd = open(temporary, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WalletError.corrupt("cannot create the wallet's lock file in \(directory): errno \(errno)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, rename(temporary, Self.path(directory, owner)) == 0 else {
            close(fd)
            unlink(temporary)
            throw WalletError.corrupt("cannot lock the wallet's lock file in \(directory): errno \(errno)")
        }
        descriptor = fd
        Self.sweep(directory, except: owner)
    }

    deinit { release() }

    /// Gives the lease up: from now on this wallet's open operations are
    /// anybody's to recover (a stopped worker, before its process ends).
    func release() {
        lock.withLock {
            guard descriptor >= 0 else { return }
            unlink(Self.path(directory, owner))
            close(descriptor)
            descriptor = -1
        }
    }

    /// True while another live wallet (this process or another) holds `owner`'s lease.
    func isAlive(_ other: String?) -> Bool {
        guard let other else { return false }
        if other == owner { return lock.withLock { descriptor >= 0 } }
        return Self.isHeld(directory, other)
    }

    static func path(_ directory: String, _ owner: String) -> String { directory + "/" + owner + ".lock" }

    static func isHeld(_ directory: String, _ owner: String) -> Bool {
        // Owner ids come from our own database; still, never let one name a path elsewhere.
        guard owner.allSatisfy({ $0.isHexDigit }) else { return false }
        let fd = open(path(directory, owner), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }  // no file: its owner finished or never lived
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Removes lock files their owners left behind (a crash skips `deinit`).
    private static func sweep(_ directory: String, except owner: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".lock") {
            let other = String(name.dropLast(5))
            if other != owner, !isHeld(directory, other) { unlink(path(directory, other)) }
        }
    }
}

extension Hex {
    static func random(_ bytes: Int) -> String { encode(SecureRandom.bytes(bytes)) }
}
