import Crypto
import Foundation
import NIOCore

/// Blossom addresses blobs by the lower-case hex SHA-256 of their bytes (BUD-00).
public enum BlobHash {
    /// True for exactly 64 lower-case hex digits, the only spelling BUDs allow.
    public static func isValid(_ s: some StringProtocol) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    public static func of(_ bytes: some DataProtocol) -> String {
        var h = SHA256()
        h.update(data: bytes)
        return hex(h.finalize())
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Splits `<sha256>[.ext]`, the last path component of BUD-01 URLs.
    /// Returns nil when the hash part is not a valid hash.
    public static func parsePathComponent(_ component: some StringProtocol) -> (sha256: String, ext: String?)? {
        let s = String(component)
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let hash = String(parts[0])
        guard isValid(hash) else { return nil }
        let ext = parts.count > 1 ? String(parts[1]) : nil
        if let ext, ext.isEmpty || ext.count > 16 || !ext.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }) {
            return nil
        }
        return (hash, ext)
    }
}

/// Incremental SHA-256 over streamed chunks, so large blobs never sit in memory whole.
public struct StreamingHasher: Sendable {
    private var hasher = SHA256()
    public private(set) var count: Int64 = 0

    public init() {}

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        count += Int64(buffer.readableBytes)
    }

    public mutating func update(_ bytes: some DataProtocol) {
        hasher.update(data: bytes)
        count += Int64(bytes.count)
    }

    public func finalize() -> String { BlobHash.hex(hasher.finalize()) }
}
