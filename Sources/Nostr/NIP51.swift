import Foundation
import Secp256k1

/// A NIP-51 list: follow list (3), mute list (10000), follow set (30000) and
/// the other standard lists (10000-19999) and sets (30000-39999).
///
/// Public entries are the event's tags; private entries are a JSON array of
/// tags in `content`, NIP-44-encrypted by the author to their own key.
public struct NIP51List: Sendable, Equatable {
    public static let followListKind = 3
    public static let muteListKind = 10000
    public static let followSetKind = 30000

    public var kind: Int
    /// The `d` tag; "" for standard lists, which are plain replaceable events.
    public var identifier: String
    public var title: String?
    /// Entries in the clear, without the `d` and `title` metadata tags.
    public var publicTags: [[String]]
    public var privateTags: [[String]]
    /// Content kept verbatim because it was not read: parsed without the
    /// author's key, or a kind-3 relay map from before NIP-65. Written back
    /// unchanged by `event(signedBy:)` so an edit never destroys it.
    public var unreadContent: String?

    public init(
        kind: Int, identifier: String = "", title: String? = nil,
        publicTags: [[String]] = [], privateTags: [[String]] = []
    ) {
        self.kind = kind
        self.identifier = identifier
        self.title = title
        self.publicTags = publicTags
        self.privateTags = privateTags
    }

    public static func followSet(identifier: String, title: String? = nil) -> NIP51List {
        NIP51List(kind: followSetKind, identifier: identifier, title: title)
    }
    public static func muteList() -> NIP51List { NIP51List(kind: muteListKind) }
    public static func followList() -> NIP51List { NIP51List(kind: followListKind) }

    public static func isListKind(_ kind: Int) -> Bool {
        kind == followListKind || (10000..<20000).contains(kind) || (30000..<40000).contains(kind)
    }

    /// Sets are addressable and named by `d`; standard lists are one per author.
    public var isSet: Bool { (30000..<40000).contains(kind) }

    /// Every `p` entry, public then private, valid keys only, first occurrence kept.
    public var pubkeys: [XOnlyPublicKey] {
        var seen = Set<XOnlyPublicKey>(), out = [XOnlyPublicKey]()
        for tag in publicTags + privateTags where tag.count >= 2 && tag[0] == "p" {
            if let key = try? XOnlyPublicKey(hex: tag[1]), seen.insert(key).inserted { out.append(key) }
        }
        return out
    }

    public func contains(pubkey: XOnlyPublicKey) -> Bool { pubkeys.contains(pubkey) }

    /// The list's address: author, kind and `d`.
    public func naddr(author: XOnlyPublicKey, relays: [String] = []) -> NIP19Entity {
        .naddr(identifier: identifier, pubkey: author, kind: kind, relays: relays)
    }

    // MARK: editing

    /// Appends `tag` (NIP-51: new items go last) unless an entry with the same
    /// name and value is already in either section.
    @discardableResult
    public mutating func add(_ tag: [String], isPrivate: Bool = false) -> Bool {
        guard tag.count >= 2, !(publicTags + privateTags).contains(where: { Self.same($0, tag) }) else { return false }
        if isPrivate { privateTags.append(tag) } else { publicTags.append(tag) }
        return true
    }

    /// Removes every entry named `name` with value `value`, from both sections.
    @discardableResult
    public mutating func remove(name: String, value: String) -> Int {
        let before = publicTags.count + privateTags.count
        let probe = [name, value]
        publicTags.removeAll { Self.same($0, probe) }
        privateTags.removeAll { Self.same($0, probe) }
        return before - publicTags.count - privateTags.count
    }

    @discardableResult
    public mutating func add(pubkey: XOnlyPublicKey, relay: String? = nil, isPrivate: Bool = false) -> Bool {
        add(["p", pubkey.hex] + (relay.map { [$0] } ?? []), isPrivate: isPrivate)
    }

    @discardableResult
    public mutating func remove(pubkey: XOnlyPublicKey) -> Bool { remove(name: "p", value: pubkey.hex) > 0 }

    static func same(_ a: [String], _ b: [String]) -> Bool {
        a.count >= 2 && b.count >= 2 && a[0] == b[0] && a[1].lowercased() == b[1].lowercased()
    }
}
