/// Lower-case hex, the form Nostr and Cashu put on the wire.
public enum Hex {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case oddLength(Int)
        case invalidCharacter(Character)
        case wrongLength(expected: Int, got: Int)

        public var description: String {
            switch self {
            case .oddLength(let n): "hex has an odd number of characters (\(n))"
            case .invalidCharacter(let c): "hex contains '\(c)', which is not 0-9 or a-f"
            case .wrongLength(let e, let g): "expected \(e) bytes of hex (\(e * 2) characters), got \(g) bytes"
            }
        }
    }

    /// Decodes hex (either case). `length`, when given, is the required byte count.
    public static func decode(_ string: some StringProtocol, length: Int? = nil) throws(Hex.Error) -> [UInt8] {
        let utf8 = Array(string.utf8)
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else { throw .invalidCharacter(Character(UnicodeScalar(utf8[i]))) }
            guard let lo = nibble(utf8[i + 1]) else { throw .invalidCharacter(Character(UnicodeScalar(utf8[i + 1]))) }
            out.append(hi << 4 | lo)
            i += 2
        }
        if let length, out.count != length { throw .wrongLength(expected: length, got: out.count) }
        return out
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
