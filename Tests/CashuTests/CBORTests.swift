import Testing

@testable import Cashu

struct CBORTests {
    @Test(arguments: [
        (CBOR.unsigned(0), "00"), (.unsigned(23), "17"), (.unsigned(24), "1818"), (.unsigned(1000), "1903e8"),
        (.unsigned(1_000_000), "1a000f4240"), (.unsigned(UInt64.max), "1bffffffffffffffff"),
        (.negative(0), "20"), (.negative(99), "3863"), (.bytes([1, 2]), "420102"), (.text("a"), "6161"),
        (.array([.unsigned(1), .null]), "8201f6"), (.map([.init("a", .bool(true)), .init("b", .bool(false))]), "a26161f56162f4"),
    ])
    func roundTrip(_ value: CBOR, _ hex: String) throws {
        #expect(value.encoded() == [UInt8](hex: hex))
        #expect(try CBOR.decode([UInt8](hex: hex)) == value)
    }

    @Test(
        arguments: [
            ("5f4101ff", CBORError.indefiniteLength),  // indefinite byte string
            ("9f01ff", .indefiniteLength),
            ("bf6161f5ff", .indefiniteLength),
            ("c24101", .unsupported("tag")),
            ("f93c00", .unsupported("floating-point number")),
            ("f7", .unsupported("undefined")),
            ("f820", .unsupported("simple value 24")),
            ("1c", .unsupported("reserved additional info 28")),
            ("a10101", .nonTextMapKey),
            ("a2616101616102", .duplicateMapKey("a")),
            ("62c328", .invalidUTF8),
            ("4201", .truncated),
            ("9bffffffffffffffff", .truncated),  // a huge count is refused before allocating
            ("0101", .trailingBytes(1)),
        ] as [(String, CBORError)])
    func rejects(_ hex: String, _ error: CBORError) {
        #expect(throws: error) { try CBOR.decode([UInt8](hex: hex)) }
    }

    @Test func nestingIsBounded() {
        let deep = [UInt8](repeating: 0x81, count: 100) + [0x01]
        #expect(throws: CBORError.nestingTooDeep) { try CBOR.decode(deep) }
    }
}

struct Base64URLTests {
    @Test func bothAlphabetsAndOptionalPadding() {
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("+/8=") == [0xfb, 0xff])
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.encode([0xfb, 0xff], padded: true) == "-_8=")
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab$d") == nil)
    }
}
