import Blossom
import Foundation
import NIOCore
import _NIOFileSystem

/// Blob bytes on disk, named by hash: `blobs/ab/ab…`. Uploads are written to
/// `tmp/` first and renamed into place only once accepted, so a refused or
/// interrupted upload never leaves a file where readers look.
struct BlobStore: Sendable {
    let root: String
    var blobsDirectory: String { root + "/blobs" }
    var tmpDirectory: String { root + "/tmp" }

    init(root: String) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/blobs", withIntermediateDirectories: true)
        // Anything left in tmp/ is from a crash mid-upload and was never accepted.
        try? fm.removeItem(atPath: root + "/tmp")
        try fm.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
    }

    func path(of sha256: String) -> String {
        "\(blobsDirectory)/\(sha256.prefix(2))/\(sha256)"
    }

    func exists(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(of: sha256)) }

    enum ReceiveError: Error { case tooLarge }

    /// Streams `body` into a new temp file while hashing it. Stops and removes
    /// the file the moment more than `limit` bytes have arrived.
    func receive<Body: AsyncSequence>(_ body: Body, limit: Int64) async throws -> (tmp: String, sha256: String, size: Int64)
    where Body.Element == ByteBuffer {
        let tmp = "\(tmpDirectory)/\(UUID().uuidString)"
        do {
            var hasher = StreamingHasher()
            try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(tmp), options: .newFile(replaceExisting: false)) {
                handle in
                try await handle.withBufferedWriter { writer in
                    for try await chunk in body {
                        hasher.update(chunk)
                        if hasher.count > limit { throw ReceiveError.tooLarge }
                        try await writer.write(contentsOf: chunk)
                    }
                }
            }
            return (tmp, hasher.finalize(), hasher.count)
        } catch {
            discard(tmp)
            throw error
        }
    }

    /// Moves an accepted temp file to its final name (atomic on one filesystem).
    func commit(tmp: String, as sha256: String) throws {
        let dest = path(of: sha256)
        try FileManager.default.createDirectory(
            atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard rename(tmp, dest) == 0 else {
            let code = errno
            discard(tmp)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    func discard(_ tmp: String) { _ = unlink(tmp) }

    func remove(_ sha256: String) { _ = unlink(path(of: sha256)) }
}
