import Secp256k1

/// A NIP-19 bech32 entity: bare keys and ids, or TLV pointers with hints.
///
/// NIP-19 strings are for people (display, copy-paste, QR codes); events and
/// filters always carry hex. Decoding accepts a `nostr:` URI (NIP-21) too.
public enum NIP19Entity: Equatable, Sendable {
    case npub(XOnlyPublicKey)
    case nsec(SecretKey)
    case note(id: [UInt8])
    case nprofile(pubkey: XOnlyPublicKey, relays: [String])
    case nevent(id: [UInt8], relays: [String], author: XOnlyPublicKey?, kind: Int?)
    case naddr(identifier: String, pubkey: XOnlyPublicKey, kind: Int, relays: [String])

    /// The bech32 prefix (human-readable part) of this entity.
    public var prefix: String {
        switch self {
        case .npub: "npub"
        case .nsec: "nsec"
        case .note: "note"
        case .nprofile: "nprofile"
        case .nevent: "nevent"
        case .naddr: "naddr"
        }
    }

    // MARK: decoding

    public static func decode(_ string: String) throws(NIP19Error) -> NIP19Entity {
        var text = Substring(string)
        var isURI = false
        if text.count >= 6, text.prefix(6).lowercased() == "nostr:" {
            text = text.dropFirst(6)
            isURI = true
        }
        let (hrp, data) = try Bech32.decode(String(text))
        // NIP-21 forbids secret keys in URIs: such a link is a leak, not a pointer.
        if isURI && hrp == "nsec" { throw .secretKeyInURI }
        switch hrp {
        case "npub":
            return .npub(try publicKey(try exactly32(data, prefix: hrp, field: "public key"), prefix: hrp))
        case "nsec":
            let bytes = try exactly32(data, prefix: hrp, field: "secret key")
            guard let key = try? SecretKey(bytes: bytes) else { throw .invalidSecretKey }
            return .nsec(key)
        case "note":
            return .note(id: try exactly32(data, prefix: hrp, field: "event id"))
        case "nprofile", "nevent", "naddr":
            return try decodeTLV(hrp: hrp, records: TLV.parse(data, prefix: hrp))
        default:
            throw .unknownPrefix(hrp)
        }
    }

    private static func decodeTLV(hrp: String, records: [TLV.Record]) throws(NIP19Error) -> NIP19Entity {
        // NIP-19: unknown types are skipped; of a repeated singular field the first counts.
        func first(_ type: UInt8) -> [UInt8]? { records.first { $0.type == type }?.value }
        let relays = try records.filter { $0.type == TLV.relay }.map { r throws(NIP19Error) in
            guard let s = String(validating: r.value, as: UTF8.self) else { throw .invalidUTF8(prefix: hrp, field: "relay") }
            return s
        }
        let special = first(TLV.special)
        let author = try first(TLV.author).map { v throws(NIP19Error) in
            try publicKey(try exactly(32, v, prefix: hrp, field: "author"), prefix: hrp)
        }
        let kind = try first(TLV.kind).map { v throws(NIP19Error) in
            let b = try exactly(4, v, prefix: hrp, field: "kind")
            return Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        }
        switch hrp {
        case "nprofile":
            guard let special else { throw .missingTLV(prefix: hrp, field: "public key (type 0)") }
            return .nprofile(
                pubkey: try publicKey(try exactly(32, special, prefix: hrp, field: "public key"), prefix: hrp),
                relays: relays)
        case "nevent":
            guard let special else { throw .missingTLV(prefix: hrp, field: "event id (type 0)") }
            return .nevent(
                id: try exactly(32, special, prefix: hrp, field: "event id"), relays: relays, author: author, kind: kind)
        default:
            guard let special else { throw .missingTLV(prefix: hrp, field: "identifier (type 0)") }
            guard let identifier = String(validating: special, as: UTF8.self) else {
                throw .invalidUTF8(prefix: hrp, field: "identifier")
            }
            guard let author else { throw .missingTLV(prefix: hrp, field: "author (type 2)") }
            guard let kind else { throw .missingTLV(prefix: hrp, field: "kind (type 3)") }
            return .naddr(identifier: identifier, pubkey: author, kind: kind, relays: relays)
        }
    }

    private static func exactly32(_ data: [UInt8], prefix: String, field: String) throws(NIP19Error) -> [UInt8] {
        guard data.count == 32 else { throw .wrongLength(prefix: prefix, field: field, expected: 32, got: data.count) }
        return data
    }

    private static func exactly(_ n: Int, _ v: [UInt8], prefix: String, field: String) throws(NIP19Error) -> [UInt8] {
        guard v.count == n else { throw .wrongLength(prefix: prefix, field: field, expected: n, got: v.count) }
        return v
    }

    private static func publicKey(_ bytes: [UInt8], prefix: String) throws(NIP19Error) -> XOnlyPublicKey {
        guard let key = try? XOnlyPublicKey(bytes: bytes) else { throw .invalidPublicKey(prefix: prefix) }
        return key
    }

    // MARK: encoding

    /// The bech32 string. Throws only when a TLV value cannot fit in its
    /// one-byte length (relay URL or identifier over 255 bytes) or a kind is
    /// outside 0...2³²-1.
    public func encode() throws(NIP19Error) -> String {
        var tlv = TLV.Writer()
        switch self {
        case .npub(let k): return Bech32.encode(hrp: prefix, data: k.bytes)
        case .nsec(let k): return Bech32.encode(hrp: prefix, data: k.bytes)
        case .note(let id): return Bech32.encode(hrp: prefix, data: id)
        case .nprofile(let pubkey, let relays):
            try tlv.add(TLV.special, pubkey.bytes, field: "public key")
            try tlv.add(relays: relays)
        case .nevent(let id, let relays, let author, let kind):
            try tlv.add(TLV.special, id, field: "event id")
            try tlv.add(relays: relays)
            if let author { try tlv.add(TLV.author, author.bytes, field: "author") }
            if let kind { try tlv.add(kind: kind) }
        case .naddr(let identifier, let pubkey, let kind, let relays):
            try tlv.add(TLV.special, Array(identifier.utf8), field: "identifier")
            try tlv.add(relays: relays)
            try tlv.add(TLV.author, pubkey.bytes, field: "author")
            try tlv.add(kind: kind)
        }
        return Bech32.encode(hrp: prefix, data: tlv.bytes)
    }

    /// The bech32 string of an entity built from valid parts. An over-long
    /// identifier or relay cannot be expressed in NIP-19 at all; that is a
    /// programming error here — use `encode()` for values from elsewhere.
    public var encoded: String {
        do { return try encode() } catch { preconditionFailure(error.description) }
    }

    /// The NIP-21 URI form, `nostr:<bech32>`.
    public var uri: String { "nostr:" + encoded }
}

/// NIP-19's type-length-value records (one-byte type, one-byte length).
enum TLV {
    static let special: UInt8 = 0, relay: UInt8 = 1, author: UInt8 = 2, kind: UInt8 = 3

    struct Record { let type: UInt8; let value: [UInt8] }

    static func parse(_ data: [UInt8], prefix: String) throws(NIP19Error) -> [Record] {
        var records = [Record](), i = 0
        while i < data.count {
            guard i + 2 <= data.count else { throw .truncatedTLV(prefix: prefix) }
            let type = data[i], length = Int(data[i + 1])
            guard i + 2 + length <= data.count else { throw .truncatedTLV(prefix: prefix) }
            records.append(Record(type: type, value: Array(data[(i + 2)..<(i + 2 + length)])))
            i += 2 + length
        }
        return records
    }

    struct Writer {
        var bytes = [UInt8]()

        mutating func add(_ type: UInt8, _ value: [UInt8], field: String) throws(NIP19Error) {
            guard value.count <= 255 else { throw .valueTooLong(field: field, bytes: value.count) }
            bytes.append(type)
            bytes.append(UInt8(value.count))
            bytes += value
        }

        mutating func add(relays: [String]) throws(NIP19Error) {
            for r in relays { try add(TLV.relay, Array(r.utf8), field: "relay") }
        }

        mutating func add(kind: Int) throws(NIP19Error) {
            guard let k = UInt32(exactly: kind) else { throw .kindOutOfRange(kind) }
            try add(TLV.kind, [UInt8(k >> 24), UInt8(k >> 16 & 0xff), UInt8(k >> 8 & 0xff), UInt8(k & 0xff)], field: "kind")
        }
    }
}
