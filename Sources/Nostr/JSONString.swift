/// JSON string escaping exactly as NIP-01 prescribes for the event id
/// serialization: `\n \" \\ \r \t \b \f` are escaped, every other character
/// (including other control characters and all non-ASCII) is written as its
/// raw UTF-8 bytes. We use the same writer for every JSON we emit, so what we
/// sign and what we send can never disagree; the one exception is `wire`
/// mode, which writes the remaining control characters as `\u00XX` because a
/// raw control character is not valid JSON. Both decode to the same string.
enum JSONString {
    /// The control characters NIP-01 escapes by name: \b \t \n \f \r.
    static let listedEscapes: Set<UInt8> = [0x08, 0x09, 0x0a, 0x0c, 0x0d]

    static func append(_ string: String, to out: inout [UInt8], wire: Bool = false) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            case 0x00..<0x20 where wire:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func append(_ array: [String], to out: inout [UInt8], wire: Bool = false) {
        out.append(UInt8(ascii: "["))
        for (i, s) in array.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(s, to: &out, wire: wire)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func append(_ tags: [[String]], to out: inout [UInt8], wire: Bool = false) {
        out.append(UInt8(ascii: "["))
        for (i, t) in tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(t, to: &out, wire: wire)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func append(_ n: some BinaryInteger, to out: inout [UInt8]) {
        out.append(contentsOf: String(n).utf8)
    }
}
