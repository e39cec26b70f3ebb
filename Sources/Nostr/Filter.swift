/// A NIP-01 subscription filter. Tag filters use the single-letter names
/// without the `#` (`tags["e"]`), and are written as `#e` on the wire.
public struct Filter: Sendable, Hashable, Codable {
    public var ids: [String]?
    public var authors: [String]?
    public var kinds: [Int]?
    public var since: Int64?
    public var until: Int64?
    public var limit: Int?
    public var tags: [String: [String]]

    public init(
        ids: [String]? = nil, authors: [String]? = nil, kinds: [Int]? = nil,
        tags: [String: [String]] = [:], since: Int64? = nil, until: Int64? = nil, limit: Int? = nil
    ) {
        self.ids = ids; self.authors = authors; self.kinds = kinds
        self.tags = tags; self.since = since; self.until = until; self.limit = limit
    }

    /// NIP-01 matching: every given condition must hold; within one list any value may match.
    public func matches(_ event: Event) -> Bool {
        if let ids, !ids.contains(event.id) { return false }
        if let authors, !authors.contains(event.pubkey) { return false }
        if let kinds, !kinds.contains(event.kind) { return false }
        if let since, event.createdAt < since { return false }
        if let until, event.createdAt > until { return false }
        for (name, values) in tags {
            let have = event.tagValues(name)
            if !values.contains(where: have.contains) { return false }
        }
        return true
    }

    /// The same filter, moved forward to events from `since` on (for resubscribing).
    public func resumed(since newSince: Int64) -> Filter {
        var f = self
        f.since = max(since ?? newSince, newSince)
        return f
    }

    // MARK: Codable with `#x` keys

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        ids = try c.decodeIfPresent([String].self, forKey: Key("ids"))
        authors = try c.decodeIfPresent([String].self, forKey: Key("authors"))
        kinds = try c.decodeIfPresent([Int].self, forKey: Key("kinds"))
        since = try c.decodeIfPresent(Int64.self, forKey: Key("since"))
        until = try c.decodeIfPresent(Int64.self, forKey: Key("until"))
        limit = try c.decodeIfPresent(Int.self, forKey: Key("limit"))
        tags = [:]
        for key in c.allKeys where key.stringValue.hasPrefix("#") && key.stringValue.count == 2 {
            tags[String(key.stringValue.dropFirst())] = try c.decode([String].self, forKey: key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(ids, forKey: Key("ids"))
        try c.encodeIfPresent(authors, forKey: Key("authors"))
        try c.encodeIfPresent(kinds, forKey: Key("kinds"))
        for (name, values) in tags.sorted(by: { $0.key < $1.key }) { try c.encode(values, forKey: Key("#" + name)) }
        try c.encodeIfPresent(since, forKey: Key("since"))
        try c.encodeIfPresent(until, forKey: Key("until"))
        try c.encodeIfPresent(limit, forKey: Key("limit"))
    }
}
