import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, and whether it is one loom may dial for someone
/// else (the worker for a client, the client for a worker): a public unicast address, nothing in the special-purpose
/// registries (RFC 6890 and the IANA IPv4/IPv6 special-purpose registries).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    /// 16 bytes, network order.
    case v6([UInt8])

    /// The host as the operating system reads a numeric address, without
    /// DNS: IPv4 in every form `inet_aton` takes (`127.1`, `2130706433`,
    /// `0x7f.1`, `0177.0.0.1`), which is also how `getaddrinfo` and so the
    /// WebSocket client read it; IPv6 with or without brackets.
    public init?(numeric host: String) {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            self = .v6(withUnsafeBytes(of: raw) { Array($0) })
        } else {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X") }) else {
                return nil
            }
            var raw = in_addr()
            guard inet_aton(text, &raw) != 0 else { return nil }
            self = .v4(UInt32(bigEndian: raw.s_addr))
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6(let b):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: b) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Why a peer may not make us connect here; nil for a public address.
    public var nonPublicReason: String? {
        switch self {
        case .v4(let a): return Self.reason(v4: a)
        case .v6(let b): return Self.reason(v6: b)
        }
    }

    // MARK: IPv4

    static let v4Special: [(prefix: UInt32, bits: Int, reason: String)] = [
        (0x0000_0000, 8, "\"this network\" (0.0.0.0/8, the unspecified address)"),
        (0x0A00_0000, 8, "private (10/8)"),
        (0x6440_0000, 10, "shared carrier-grade NAT space (100.64/10)"),
        (0x7F00_0000, 8, "loopback (127/8)"),
        (0xA9FE_0000, 16, "link-local (169.254/16)"),
        (0xAC10_0000, 12, "private (172.16/12)"),
        (0xC000_0000, 24, "IETF protocol assignments (192.0.0/24)"),
        (0xC000_0200, 24, "documentation (192.0.2/24)"),
        (0xC058_6300, 24, "6to4 relay anycast (192.88.99/24)"),
        (0xC0A8_0000, 16, "private (192.168/16)"),
        (0xC612_0000, 15, "benchmarking (198.18/15)"),
        (0xC633_6400, 24, "documentation (198.51.100/24)"),
        (0xCB00_7100, 24, "documentation (203.0.113/24)"),
        (0xE000_0000, 4, "multicast (224/4)"),
        (0xF000_0000, 4, "reserved or broadcast (240/4)"),
    ]

    static func reason(v4 a: UInt32) -> String? {
        v4Special.first { a >> (32 - $0.bits) == $0.prefix >> (32 - $0.bits) }?.reason
    }

    // MARK: IPv6

    static func reason(v6 b: [UInt8]) -> String? {
        func has(_ prefix: [UInt8], bits: Int) -> Bool {
            for i in 0..<bits / 8 where b[i] != prefix[i] { return false }
            let rest = bits % 8
            return rest == 0 || b[bits / 8] >> (8 - rest) == prefix[bits / 8] >> (8 - rest)
        }
        func embedded(at offset: Int) -> UInt32 {
            b[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
        let zero = zeros(16)
        if b == zero { return "unspecified (::)" }
        if b == zeros(15) + [1] { return "loopback (::1)" }
        // Addresses that carry an IPv4 address: judged by that address.
        if has(zeros(10) + [0xff, 0xff], bits: 96) {
            return reason(v4: embedded(at: 12)).map { "IPv4-mapped \($0)" }
        }
        if has([0x00, 0x64, 0xff, 0x9b] + zeros(8), bits: 96) {
            return reason(v4: embedded(at: 12)).map { "NAT64 (64:ff9b::/96) of \($0)" }
        }
        if has([0x20, 0x02], bits: 16) {
            return reason(v4: embedded(at: 2)).map { "6to4 (2002::/16) of \($0)" }
        }
        let special: [([UInt8], Int, String)] = [
            (zero, 96, "IPv4-compatible (::/96, deprecated)"),
            ([0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, "local-use NAT64 (64:ff9b:1::/48)"),
            ([0x01, 0x00] + zeros(6), 64, "discard-only (100::/64)"),
            ([0x20, 0x01, 0x0d, 0xb8], 32, "documentation (2001:db8::/32)"),
            ([0x20, 0x01, 0x00], 23, "IETF protocol assignments, Teredo included (2001::/23)"),
            ([0x3f, 0xff, 0x00], 20, "documentation (3fff::/20)"),
            ([0xfc], 7, "unique local (fc00::/7)"),
            ([0xfe, 0x80], 10, "link-local (fe80::/10)"),
            ([0xfe, 0xc0], 10, "site-local (fec0::/10, deprecated)"),
            ([0xff], 8, "multicast (ff00::/8)"),
        ]
        if let hit = special.first(where: { has($0.0 + zero, bits: $0.1) }) { return hit.2 }
        // Only 2000::/3 is allocated as global unicast; the rest is reserved.
        return has([0x20], bits: 3) ? nil : "reserved (outside 2000::/3)"
    }
}
