import Crypto
import Foundation
import Secp256k1

/// A signed Nostr event (NIP-01). Immutable: build one with `Event.sign`.
///
/// `id`, `pubkey` and `sig` stay lower-case hex as on the wire; `verify()`
/// checks all three before anyone trusts the event.
public struct Event: Sendable, Hashable, Codable {
    public let id: String
    public let pubkey: String
    public let createdAt: Int64
    public let kind: Int
    public let tags: [[String]]
    public let content: String
    public let sig: String

    enum CodingKeys: String, CodingKey {
        case id, pubkey, kind, tags, content, sig
        case createdAt = "created_at"
    }

    /// An event exactly as received, unverified.
    public init(id: String, pubkey: String, createdAt: Int64, kind: Int, tags: [[String]], content: String, sig: String) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        self.sig = sig
    }

    /// Builds, hashes and signs an event with `key`.
    public static func sign(
        kind: Int, content: String, tags: [[String]] = [],
        createdAt: Int64 = Event.now(), with key: SecretKey
    ) throws -> Event {
        guard (0...65535).contains(kind) else { throw EventError.invalidKind(kind) }
        let pubkey = key.xOnlyPublicKey.hex
        let id = computeID(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        let sig = try key.signSchnorr(message: id)
        return Event(
            id: Hex.encode(id), pubkey: pubkey, createdAt: createdAt, kind: kind,
            tags: tags, content: content, sig: Hex.encode(sig))
    }

    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// `[0,<pubkey>,<created_at>,<kind>,<tags>,<content>]` as NIP-01 specifies:
    /// no whitespace, UTF-8, the NIP's escaping only.
    /// `escapingControls` writes the control characters NIP-01 does not list
    /// as `\u00XX`, as JSON.stringify and serde_json do; see `verify()`.
    public static func serialize(
        pubkey: String, createdAt: Int64, kind: Int, tags: [[String]], content: String,
        escapingControls: Bool = false
    ) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(content.utf8.count + 128 + tags.count * 72)
        out.append(contentsOf: Array("[0,".utf8))
        JSONString.append(pubkey, to: &out)
        out.append(UInt8(ascii: ","))
        JSONString.append(createdAt, to: &out)
        out.append(UInt8(ascii: ","))
        JSONString.append(kind, to: &out)
        out.append(UInt8(ascii: ","))
        JSONString.append(tags, to: &out, wire: escapingControls)
        out.append(UInt8(ascii: ","))
        JSONString.append(content, to: &out, wire: escapingControls)
        out.append(UInt8(ascii: "]"))
        return out
    }

    public static func computeID(
        pubkey: String, createdAt: Int64, kind: Int, tags: [[String]], content: String,
        escapingControls: Bool = false
    ) -> [UInt8] {
        Array(
            SHA256.hash(
                data: serialize(
                    pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
                    escapingControls: escapingControls)))
    }

    /// Checks the id against the content and the signature against the id.
    /// Throws the first specific reason the event is not valid.
    ///
    /// We sign with NIP-01's serialization exactly. Many implementations
    /// (JSON.stringify, serde_json: nostr-tools, rust-nostr) write the other
    /// control characters (U+0000…U+001F) as `\u00XX` instead of verbatim, so
    /// for events holding one we also accept that form. Both are unambiguous
    /// encodings of the same fields, so this admits no forgery.
    ///
    /// `id`, `pubkey` and `sig` must be lower-case hex, as NIP-01 writes them.
    /// Upper-case hex decodes to the same bytes, but everyone compares ids as
    /// strings (dedupe, journals, `e` and `d` tags): a copy with its id
    /// upper-cased would pass as a second, different event.
    public func verify() throws(EventError) {
        guard id.utf8.count == 64, let idBytes = try? Hex.decode(id) else { throw .malformedID }
        guard Self.isLowerHex(id) else { throw .notLowerCaseHex(field: "id") }
        guard pubkey.utf8.count == 64, let pk = try? XOnlyPublicKey(hex: pubkey) else { throw .invalidPublicKey }
        guard Self.isLowerHex(pubkey) else { throw .notLowerCaseHex(field: "pubkey") }
        guard sig.utf8.count == 128, let sigBytes = try? Hex.decode(sig) else { throw .malformedSignature }
        guard Self.isLowerHex(sig) else { throw .notLowerCaseHex(field: "sig") }
        guard (0...65535).contains(kind) else { throw .invalidKind(kind) }
        let computed = Event.computeID(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        if computed != idBytes {
            guard hasUnlistedControl,
                Event.computeID(
                    pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
                    escapingControls: true) == idBytes
            else { throw .idMismatch(expected: Hex.encode(computed)) }
        }
        guard pk.verify(signature: sigBytes, message: idBytes) else { throw .badSignature }
    }

    public var isValid: Bool { (try? verify()) != nil }

    /// Only `0-9` and `a-f`: the one spelling NIP-01 allows for ids, keys and signatures.
    public static func isLowerHex(_ s: String) -> Bool {
        s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A control character NIP-01 does not list for escaping, anywhere in content or tags.
    var hasUnlistedControl: Bool {
        func has(_ s: String) -> Bool { s.utf8.contains { $0 < 0x20 && !JSONString.listedEscapes.contains($0) } }
        return has(content) || tags.contains { $0.contains(where: has) }
    }

    // MARK: tags

    /// Values (second element) of every tag named `name`.
    public func tagValues(_ name: String) -> [String] {
        tags.compactMap { $0.count >= 2 && $0[0] == name ? $0[1] : nil }
    }

    /// The first tag named `name`, whole.
    public func firstTag(_ name: String) -> [String]? { tags.first { $0.first == name } }

    /// The `d` tag of an addressable event ("" when missing, as NIP-01 says).
    public var identifier: String { tagValues("d").first ?? "" }

    // MARK: JSON

    /// The event as a compact JSON object, with the same escaping as the id.
    public var jsonBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(content.utf8.count + 320 + tags.count * 72)
        out.append(contentsOf: Array("{\"id\":".utf8)); JSONString.append(id, to: &out)
        out.append(contentsOf: Array(",\"pubkey\":".utf8)); JSONString.append(pubkey, to: &out)
        out.append(contentsOf: Array(",\"created_at\":".utf8)); JSONString.append(createdAt, to: &out)
        out.append(contentsOf: Array(",\"kind\":".utf8)); JSONString.append(kind, to: &out)
        out.append(contentsOf: Array(",\"tags\":".utf8)); JSONString.append(tags, to: &out, wire: true)
        out.append(contentsOf: Array(",\"content\":".utf8)); JSONString.append(content, to: &out, wire: true)
        out.append(contentsOf: Array(",\"sig\":".utf8)); JSONString.append(sig, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// Parses one event object. Shape errors are reported; validity is `verify()`'s job.
    public init(json: some DataProtocol) throws(EventError) {
        do { self = try JSONDecoder().decode(Event.self, from: Data(json)) } catch {
            throw .malformedJSON(String(describing: error))
        }
    }

    public init(json: String) throws(EventError) { try self.init(json: Data(json.utf8)) }
}

/// Why an event was refused.
public enum EventError: Error, Equatable, CustomStringConvertible {
    case malformedJSON(String)
    case malformedID
    case invalidPublicKey
    case malformedSignature
    /// Hex in the right length, but with upper-case letters.
    case notLowerCaseHex(field: String)
    case invalidKind(Int)
    case idMismatch(expected: String)
    case badSignature
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .malformedJSON(let why): "event is not valid JSON of the NIP-01 shape: \(why)"
        case .malformedID: "event id is not 64 hex characters"
        case .invalidPublicKey: "event pubkey is not a valid 32-byte x-only secp256k1 key"
        case .malformedSignature: "event sig is not 128 hex characters"
        case .notLowerCaseHex(let field): "event \(field) has upper-case hex; NIP-01 allows lower-case only"
        case .invalidKind(let k): "event kind \(k) is outside 0...65535"
        case .idMismatch(let expected): "event id does not match its content (computed \(expected))"
        case .badSignature: "event signature does not verify against its pubkey"
        case .tooLarge(let n, let limit): "event is \(n) bytes, over the \(limit)-byte limit"
        }
    }
}
