/// Bech32 (BIP-173, the original constant 1 — not bech32m) over bytes.
///
/// NIP-19 departs from BIP-173 in one way: TLV entities carry relay URLs and
/// identifiers, so strings may run past BIP-173's 90 characters. The NIP
/// asks for at most 5000, which is the default limit here.
enum Bech32 {
    static let defaultLimit = 5000
    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// charset index of each ASCII byte, -1 when not in the alphabet.
    static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    static func polymod(_ values: some Sequence<UInt8>) -> UInt32 {
        let generators: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= generators[i] }
        }
        return chk
    }

    static func expandHRP(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        let words = regroup(data, from: 8, to: 5, pad: true) ?? []
        let mod = polymod(expandHRP(hrpBytes) + words + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
        var out = hrpBytes + [UInt8(ascii: "1")]
        out += (words + checksum).map { charset[Int($0)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits and checks a bech32 string; returns the lower-case HRP and the data bytes.
    static func decode(_ string: String, limit: Int = defaultLimit) throws(NIP19Error) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(string.utf8)
        guard bytes.count <= limit else { throw .tooLong(bytes.count, limit: limit) }
        if let odd = string.first(where: { !$0.isASCII }) { throw .invalidCharacter(odd) }
        var hasLower = false, hasUpper = false
        for b in bytes {
            // BIP-173: only printable US-ASCII 33...126.
            guard (33...126).contains(b) else { throw .invalidCharacter(Character(Unicode.Scalar(b))) }
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) { hasLower = true }
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) { hasUpper = true }
        }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        let lower = bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
        guard let sep = lower.lastIndex(of: UInt8(ascii: "1")), sep >= 1 else { throw .missingSeparator }
        guard lower.count - sep - 1 >= 6 else { throw .tooShort }
        let hrp = Array(lower[..<sep])
        var words = [UInt8]()
        words.reserveCapacity(lower.count - sep - 1)
        for c in lower[(sep + 1)...] {
            let v = reverse[Int(c)]
            guard v >= 0 else { throw .invalidCharacter(Character(Unicode.Scalar(c))) }
            words.append(UInt8(v))
        }
        guard polymod(expandHRP(hrp) + words) == 1 else { throw .badChecksum }
        guard let data = regroup(words.dropLast(6), from: 5, to: 8, pad: false) else { throw .invalidPadding }
        return (String(decoding: hrp, as: UTF8.self), data)
    }

    /// Re-packs bit groups. Decoding (`pad: false`) refuses more than 4 leftover
    /// bits or non-zero leftovers, so each byte string has exactly one encoding.
    static func regroup(_ input: some Sequence<UInt8>, from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc: UInt32 = 0, bits = 0
        let maxv: UInt32 = (1 << to) - 1
        var out = [UInt8]()
        for v in input {
            guard v >> from == 0 else { return nil }
            acc = (acc << from) | UInt32(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
            acc &= (1 << bits) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || (acc << (to - bits)) & maxv != 0 {
            return nil
        }
        return out
    }
}
