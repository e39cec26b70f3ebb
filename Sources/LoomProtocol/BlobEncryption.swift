import Crypto
import Foundation
import Secp256k1

/// How an output blob is encrypted before it goes to Blossom, where anyone who
/// reads the worker's advertisement can list (BUD-12 `GET /list/<pubkey>`
/// needs no auth) and fetch it. As NIP-17 file messages (kind 15) do: a fresh
/// AES-256-GCM key and nonce per blob, handed over only inside the NIP-44
/// result, so the result's reader is the only one who can open it.
///
/// Stored on Blossom: `ciphertext ‖ tag` (16 bytes), no associated data. Its
/// SHA-256 is the Blossom address (`blob_sha256`); the output's `sha256` and
/// `size` stay those of the content the client ends up with (docs/PROTOCOL.md).
public struct BlobEncryption: Sendable, Hashable, Codable {
    /// `aes-256-gcm`: the only algorithm of this version.
    public var algorithm: String
    /// The key, lower-case hex. A secret: `description` never shows it.
    public var key: String
    /// The nonce, lower-case hex.
    public var nonce: String

    public static let aes256GCM = "aes-256-gcm"
    static let keyBytes = 32, nonceBytes = 12, tagBytes = 16

    public init(algorithm: String, key: String, nonce: String) {
        self.algorithm = algorithm
        self.key = key
        self.nonce = nonce
    }

    /// Encrypts `content` under a fresh random key and nonce. A key is never
    /// used twice, so a nonce can never repeat under it.
    public static func seal(_ content: some DataProtocol) throws -> SealedBlob {
        try seal(content, key: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }, nonce: Array(AES.GCM.Nonce()))
    }

    /// With a given key and nonce: for test vectors only.
    static func seal(_ content: some DataProtocol, key: [UInt8], nonce: [UInt8]) throws -> SealedBlob {
        let box = try AES.GCM.seal(content, using: SymmetricKey(data: key), nonce: try AES.GCM.Nonce(data: nonce))
        let blob = box.ciphertext + box.tag
        let encryption = BlobEncryption(algorithm: aes256GCM, key: Hex.encode(key), nonce: Hex.encode(nonce))
        return SealedBlob(
            blob: blob, encryption: encryption, sha256: sha256Hex(content), size: UInt64(content.count),
            blobSha256: sha256Hex(blob))
    }

    /// The key and nonce, or why this reader cannot use them.
    func parameters() throws(BlobError) -> (SymmetricKey, AES.GCM.Nonce) {
        guard algorithm == Self.aes256GCM else { throw .unknownAlgorithm(algorithm) }
        let key: [UInt8], nonce: [UInt8]
        do { key = try Hex.decode(self.key) } catch { throw .notHex(field: "key") }
        do { nonce = try Hex.decode(self.nonce) } catch { throw .notHex(field: "nonce") }
        guard key.count == Self.keyBytes else { throw .badKeyLength(bytes: key.count, expected: Self.keyBytes) }
        guard nonce.count == Self.nonceBytes else { throw .badNonceLength(bytes: nonce.count, expected: Self.nonceBytes) }
        do { return (SymmetricKey(data: key), try AES.GCM.Nonce(data: nonce)) } catch {
            throw .badNonceLength(bytes: nonce.count, expected: Self.nonceBytes)
        }
    }

    /// Shapes only, so a result with an algorithm this reader does not know
    /// is still read (bill, change); that one output is refused when opened.
    func validate(output field: String, size: UInt64, blobSize: UInt64) throws(ContentError) {
        let name = algorithm.utf8
        guard (1...32).contains(name.count),
            name.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7a).contains($0) || $0 == 0x2d })
        else {
            throw .invalid(field: "\(field).encryption.algorithm", reason: "must be an algorithm name such as \(Self.aes256GCM)")
        }
        guard algorithm == Self.aes256GCM else {
            for (part, value) in [("key", key), ("nonce", nonce)] where !Self.isHexString(value, maxLength: 256) {
                throw .invalid(field: "\(field).encryption.\(part)", reason: "not lower-case hex")
            }
            return
        }
        guard key.utf8.count == Self.keyBytes * 2, Self.isHexString(key, maxLength: 64) else {
            throw .invalid(
                field: "\(field).encryption.key",
                reason: "an \(Self.aes256GCM) key is \(Self.keyBytes * 2) lower-case hex characters")
        }
        guard nonce.utf8.count == Self.nonceBytes * 2, Self.isHexString(nonce, maxLength: 24) else {
            throw .invalid(
                field: "\(field).encryption.nonce",
                reason: "an \(Self.aes256GCM) nonce is \(Self.nonceBytes * 2) lower-case hex characters")
        }
        guard blobSize >= UInt64(Self.tagBytes), blobSize - UInt64(Self.tagBytes) == size else {
            throw .invalid(
                field: "\(field).blob_size",
                reason: "an \(Self.aes256GCM) blob is the content's size plus the \(Self.tagBytes)-byte tag")
        }
    }

    static func isLowerHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x61...0x66).contains(c) }

    static func isHexString(_ s: String, maxLength: Int) -> Bool {
        (2...maxLength).contains(s.utf8.count) && s.utf8.count % 2 == 0 && s.utf8.allSatisfy(isLowerHex)
    }

    /// Lower-case hex SHA-256, the spelling of every hash on the wire.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String { Hex.encode(SHA256.hash(data: bytes)) }
}

extension BlobEncryption: CustomStringConvertible, CustomDebugStringConvertible {
    // Outputs end up in logs and error messages; the key must not.
    public var description: String { "\(algorithm) (key withheld)" }
    public var debugDescription: String { description }
}

/// One output, encrypted and ready to upload.
public struct SealedBlob: Sendable {
    /// The bytes for Blossom: `ciphertext ‖ tag`. Never the content itself.
    public let blob: Data
    public let encryption: BlobEncryption
    /// SHA-256 and size of the content, what the client gets after decrypting.
    public let sha256: String
    public let size: UInt64
    /// SHA-256 of `blob`: its Blossom address.
    public let blobSha256: String
    public var blobSize: UInt64 { UInt64(blob.count) }

    /// What the result says about this blob once a server stored it at `url`.
    /// `type` is the content's media type; the blob itself is uploaded as
    /// `application/octet-stream`, so the server learns nothing from it.
    public func output(url: String, type: String) -> JobResult.Output {
        JobResult.Output(
            url: url, sha256: sha256, size: size, type: type, encryption: encryption,
            blobSha256: blobSha256, blobSize: blobSize)
    }
}

/// Why an output's downloaded bytes were not accepted. Each case is a
/// different fault, so the user is told which one.
public enum BlobError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Encrypted with an algorithm this reader does not have.
    case unknownAlgorithm(String)
    case notHex(field: String)
    case badKeyLength(bytes: Int, expected: Int)
    case badNonceLength(bytes: Int, expected: Int)
    /// `encryption` without `blob_sha256`: there is no address to check the download against.
    case missingBlobHash
    /// The downloaded bytes are not the blob the result names.
    case blobHashMismatch(expected: String, actual: String)
    /// Shorter than the authentication tag: cannot be a sealed blob.
    case truncated(bytes: Int)
    /// The tag does not verify under the result's key and nonce.
    case authenticationFailed
    /// The content (decrypted, or a clear-text blob) is not what the result names.
    case hashMismatch(expected: String, actual: String)

    public var description: String {
        switch self {
        case .unknownAlgorithm(let a):
            "encrypted with \"\(a)\", which this client cannot decrypt (it knows \(BlobEncryption.aes256GCM)); the output is not shown"
        case .notHex(let field): "the result's decryption \(field) is not hex"
        case .badKeyLength(let n, let e): "the result's decryption key is \(n) bytes; \(BlobEncryption.aes256GCM) needs \(e)"
        case .badNonceLength(let n, let e): "the result's nonce is \(n) bytes; \(BlobEncryption.aes256GCM) needs \(e)"
        case .missingBlobHash: "the result gives a decryption key but no blob_sha256 to check the download against"
        case .blobHashMismatch(let want, let got):
            "the blob downloaded hashes to \(got), the result names \(want): the server sent other bytes"
        case .truncated(let n): "the blob is \(n) bytes, shorter than its \(BlobEncryption.tagBytes)-byte authentication tag"
        case .authenticationFailed:
            "the blob does not decrypt with the result's key (\(BlobEncryption.aes256GCM) authentication failed): it was altered, or is not this output"
        case .hashMismatch(let want, let got): "the decrypted output hashes to \(got), the result names \(want)"
        }
    }
}

extension JobResult.Output {
    /// The Blossom address of the stored bytes: what to download.
    public var blobAddress: String { encryption == nil ? sha256 : (blobSha256 ?? sha256) }

    /// Throws when no download could ever be opened (an unknown algorithm, a
    /// malformed key), so the client need not fetch the blob first.
    public func checkReadable() throws(BlobError) {
        guard let encryption else { return }
        _ = try encryption.parameters()
        guard blobSha256 != nil else { throw .missingBlobHash }
    }

    /// The content from the bytes downloaded at `url`. Checked in order: the
    /// blob's hash (the server), the tag (the key, and the blob's integrity),
    /// the content's hash (what the worker said it produced). A clear-text
    /// blob (no `encryption`) is checked against `sha256` alone.
    public func open(_ blob: some DataProtocol) throws(BlobError) -> Data {
        guard let encryption else {
            let actual = BlobEncryption.sha256Hex(blob)
            guard actual == sha256 else { throw .hashMismatch(expected: sha256, actual: actual) }
            return Data(blob)
        }
        let (key, nonce) = try encryption.parameters()
        guard let blobSha256 else { throw .missingBlobHash }
        let actualBlob = BlobEncryption.sha256Hex(blob)
        guard actualBlob == blobSha256 else { throw .blobHashMismatch(expected: blobSha256, actual: actualBlob) }
        let bytes = Data(blob)
        guard bytes.count >= BlobEncryption.tagBytes else { throw .truncated(bytes: bytes.count) }
        let content: Data
        do {
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: bytes.dropLast(BlobEncryption.tagBytes),
                tag: bytes.suffix(BlobEncryption.tagBytes))
            content = try AES.GCM.open(box, using: key)
        } catch {
            throw .authenticationFailed
        }
        let actual = BlobEncryption.sha256Hex(content)
        guard actual == sha256 else { throw .hashMismatch(expected: sha256, actual: actual) }
        return content
    }
}
