import Foundation

/// What a server says about one stored blob (BUD-02 "Blob Descriptor").
///
/// `url` stays a string: it is whatever the server chose to advertise and is
/// handed on to clients verbatim (the Loom result event carries it).
public struct BlobDescriptor: Sendable, Hashable, Codable {
    public var url: String
    public var sha256: String
    public var size: Int64
    public var type: String
    public var uploaded: Int64

    public init(url: String, sha256: String, size: Int64, type: String, uploaded: Int64) {
        self.url = url
        self.sha256 = sha256
        self.size = size
        self.type = type
        self.uploaded = uploaded
    }

    /// Servers may add fields (`nip94`, `magnet`…) and some omit `type`;
    /// only the hash and size are needed to trust a descriptor.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        sha256 = try c.decode(String.self, forKey: .sha256)
        size = try c.decode(Int64.self, forKey: .size)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? MediaType.fallback
        uploaded = try c.decodeIfPresent(Int64.self, forKey: .uploaded) ?? 0
    }
}
