import Nostr
import Secp256k1

/// An event before it is signed: what a builder returns, so callers can
/// inspect or extend tags and choose the key and clock at signing time.
public struct EventTemplate: Sendable, Hashable {
    public var kind: Int
    public var tags: [[String]]
    public var content: String

    public init(kind: Int, tags: [[String]], content: String) {
        self.kind = kind
        self.tags = tags
        self.content = content
    }

    public init(kind: LoomKind, tags: [[String]], content: String) {
        self.init(kind: kind.rawValue, tags: tags, content: content)
    }

    public func sign(with key: SecretKey, createdAt: Int64 = Event.now()) throws -> Event {
        try Event.sign(kind: kind, content: content, tags: tags, createdAt: createdAt, with: key)
    }
}
