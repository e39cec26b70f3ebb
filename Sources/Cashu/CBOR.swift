/// The subset of CBOR (RFC 8949) that V4 tokens use.
///
/// No CBOR package is available, and a token is untrusted input, so the
/// decoder is small and strict: definite lengths only, text map keys only, no
/// tags or floats, bounded nesting, and no trailing bytes.
indirect enum CBOR: Hashable, Sendable {
    case unsigned(UInt64)
    /// The integer -1 - n.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    /// Text keys in wire order; the encoder writes them in this order too.
    case map([Entry])
    case bool(Bool)
    case null

    struct Entry: Hashable, Sendable {
        let key: String
        let value: CBOR
        init(_ key: String, _ value: CBOR) { self.key = key; self.value = value }
    }

    subscript(key: String) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}

enum CBORError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case trailingBytes(Int)
    case indefiniteLength
    case unsupported(String)
    case invalidUTF8
    case nonTextMapKey
    case duplicateMapKey(String)
    case nestingTooDeep

    var description: String {
        switch self {
        case .truncated: "CBOR data ends in the middle of an item"
        case .trailingBytes(let n): "CBOR data has \(n) bytes after the top-level item"
        case .indefiniteLength: "CBOR indefinite-length items are not supported"
        case .unsupported(let what): "CBOR \(what) is not supported in a token"
        case .invalidUTF8: "CBOR text string is not valid UTF-8"
        case .nonTextMapKey: "CBOR map key is not a text string"
        case .duplicateMapKey(let k): "CBOR map has the key \"\(k)\" twice"
        case .nestingTooDeep: "CBOR items are nested too deeply"
        }
    }
}

extension CBOR {
    /// A token nests five levels; 16 leaves room for unknown fields while a
    /// hostile input cannot exhaust the stack.
    static let maxDepth = 16

    static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        var reader = Reader(bytes: bytes)
        let value = try reader.item(depth: 0)
        guard reader.pos == bytes.count else { throw .trailingBytes(bytes.count - reader.pos) }
        return value
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let n): Self.head(0, n, &out)
        case .negative(let n): Self.head(1, n, &out)
        case .bytes(let b): Self.head(2, UInt64(b.count), &out); out += b
        case .text(let s): Self.head(3, UInt64(s.utf8.count), &out); out += Array(s.utf8)
        case .array(let items):
            Self.head(4, UInt64(items.count), &out)
            for item in items { item.encode(into: &out) }
        case .map(let entries):
            Self.head(5, UInt64(entries.count), &out)
            for e in entries {
                CBOR.text(e.key).encode(into: &out)
                e.value.encode(into: &out)
            }
        case .bool(let b): out.append(b ? 0xf5 : 0xf4)
        case .null: out.append(0xf6)
        }
    }

    /// The shortest head for `value`, as deterministic encoding asks.
    private static func head(_ major: UInt8, _ value: UInt64, _ out: inout [UInt8]) {
        let m = major << 5
        switch value {
        case 0..<24: out.append(m | UInt8(value))
        case 24...0xff: out += [m | 24, UInt8(value)]
        case 0x100...0xffff: out.append(m | 25); appendBigEndian(value, 2, &out)
        case 0x1_0000...0xffff_ffff: out.append(m | 26); appendBigEndian(value, 4, &out)
        default: out.append(m | 27); appendBigEndian(value, 8, &out)
        }
    }

    private static func appendBigEndian(_ v: UInt64, _ n: Int, _ out: inout [UInt8]) {
        for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var pos = 0

        mutating func byte() throws(CBORError) -> UInt8 {
            guard pos < bytes.count else { throw .truncated }
            defer { pos += 1 }
            return bytes[pos]
        }

        mutating func take(_ n: UInt64) throws(CBORError) -> ArraySlice<UInt8> {
            guard n <= UInt64(bytes.count - pos) else { throw .truncated }
            defer { pos += Int(n) }
            return bytes[pos..<pos + Int(n)]
        }

        mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24...27:
                var v: UInt64 = 0
                for b in try take(1 << UInt64(info - 24)) { v = v << 8 | UInt64(b) }
                return v
            case 31: throw .indefiniteLength
            default: throw .unsupported("reserved additional info \(info)")
            }
        }

        /// A count of items that each take at least one byte cannot exceed
        /// the bytes left; checking first stops huge allocations.
        mutating func count(_ info: UInt8) throws(CBORError) -> Int {
            let n = try argument(info)
            guard n <= UInt64(bytes.count - pos) else { throw .truncated }
            return Int(n)
        }

        mutating func item(depth: Int) throws(CBORError) -> CBOR {
            guard depth <= CBOR.maxDepth else { throw .nestingTooDeep }
            let initial = try byte()
            let major = initial >> 5, info = initial & 0x1f
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1: return .negative(try argument(info))
            case 2: return .bytes(Array(try take(try argument(info))))
            case 3:
                let raw = try take(try argument(info))
                guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
                return .text(s)
            case 4:
                let n = try count(info)
                var items: [CBOR] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                let n = try count(info)
                var entries: [Entry] = []
                var seen = Set<String>()
                for _ in 0..<n {
                    guard case .text(let key) = try item(depth: depth + 1) else { throw .nonTextMapKey }
                    guard seen.insert(key).inserted else { throw .duplicateMapKey(key) }
                    entries.append(Entry(key, try item(depth: depth + 1)))
                }
                return .map(entries)
            case 6: throw .unsupported("tag")
            default:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 23: throw .unsupported("undefined")
                case 25, 26, 27: throw .unsupported("floating-point number")
                case 31: throw .indefiniteLength
                default: throw .unsupported("simple value \(info)")
                }
            }
        }
    }
}
