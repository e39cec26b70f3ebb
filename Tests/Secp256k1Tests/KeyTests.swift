import Testing

@testable import Secp256k1

struct KeyTests {
    @Test func secretKeyRangeIsEnforced() {
        #expect(throws: Secp256k1Error.invalidSecretKey) { try SecretKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: Secp256k1Error.invalidSecretKey) {
            try SecretKey(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")  // n
        }
        #expect(throws: Secp256k1Error.invalidSecretKey) { try SecretKey(bytes: [1, 2, 3]) }
        #expect(throws: Secp256k1Error.invalidHex(.oddLength(3))) { try SecretKey(hex: "abc") }
        #expect(throws: Secp256k1Error.invalidHex(.invalidCharacter("z"))) {
            try SecretKey(hex: String(repeating: "z", count: 64))
        }
        #expect(throws: Secp256k1Error.invalidHex(.wrongLength(expected: 32, got: 2))) { try SecretKey(hex: "abcd") }
    }

    @Test func descriptionNeverShowsTheKey() throws {
        let key = try SecretKey(hex: String(repeating: "11", count: 32))
        #expect(!"\(key)".contains("1111"))
    }

    @Test func invalidPointsAreErrors() {
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey(compressed: [UInt8](repeating: 0, count: 33)) }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey(compressed: [0x04] + [UInt8](repeating: 1, count: 32)) }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey(compressed: [0x02, 1]) }
        // x = 5 is not on the curve (5^3 + 7 = 132 is not a square mod p).
        #expect(throws: Secp256k1Error.invalidPublicKey) {
            try PublicKey(compressed: [0x02] + [UInt8](repeating: 0, count: 31) + [5])
        }
        #expect(throws: Secp256k1Error.invalidXOnlyPublicKey) { try XOnlyPublicKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: Secp256k1Error.invalidXOnlyPublicKey) { try XOnlyPublicKey(bytes: [1]) }
    }

    @Test func pointArithmeticAgreesWithScalarArithmetic() throws {
        let a = Scalar.random(), b = Scalar.random()
        let A = a.publicKey, B = b.publicKey
        // aG + bG == (a+b)G
        #expect(try A.adding(B) == a.adding(b).publicKey)
        // b·(aG) == (ab)G
        #expect(A.multiplied(by: b) == a.multiplied(by: b).publicKey)
        // -(aG) == (-a)G, and aG - aG is infinity
        #expect(A.negated() == a.negated().publicKey)
        #expect(throws: Secp256k1Error.pointAtInfinity) { try A.subtracting(A) }
        #expect(try A.adding(B).subtracting(B) == A)
    }

    @Test func ecdhIsSymmetric() {
        let a = SecretKey.generate(), b = SecretKey.generate()
        #expect(a.sharedX(with: b.publicKey) == b.sharedX(with: a.publicKey))
        #expect(a.sharedX(with: b.publicKey).count == 32)
    }

    @Test func reducingModuloTheOrder() throws {
        let n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
        #expect(throws: Secp256k1Error.invalidScalar) { try Scalar(reducing: try Hex.decode(n)) }
        let nPlus5 = try Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364146")
        #expect(try Scalar(reducing: nPlus5).hex == String(repeating: "0", count: 62) + "05")
        let small = try Hex.decode(String(repeating: "0", count: 62) + "09")
        #expect(try Scalar(reducing: small).hex == String(repeating: "0", count: 62) + "09")
    }

    @Test func evenPublicKeyOfXOnly() throws {
        let key = SecretKey.generate()
        let even = key.xOnlyPublicKey.evenPublicKey
        #expect(even.compressed[0] == 0x02)
        #expect(even.x == key.xOnlyPublicKey.bytes)
    }

    @Test func uncompressedFormOfTheGenerator() throws {
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        let G = try Scalar(bytes: one).publicKey
        #expect(
            Hex.encode(G.uncompressed) == "04"
                + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
    }

    @Test func hexRoundTrip() throws {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(try Hex.decode("00ABff") == [0x00, 0xab, 0xff])
    }
}
