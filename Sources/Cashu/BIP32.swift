import Crypto
import Secp256k1

/// BIP-32 private derivation, only as far as NUT-13's legacy (version 00)
/// paths need it. Scalar addition and the parent point come from
/// libsecp256k1 through the `Secp256k1` wrapper.
struct ExtendedPrivateKey: Sendable {
    static let hardened: UInt32 = 0x8000_0000

    let key: Scalar
    let chainCode: [UInt8]

    static func master(seed: [UInt8]) throws(DerivationError) -> ExtendedPrivateKey {
        let i = hmacSHA512(key: Array("Bitcoin seed".utf8), data: seed)
        guard let key = try? Scalar(bytes: Array(i[..<32])) else { throw .invalidKey }
        return ExtendedPrivateKey(key: key, chainCode: Array(i[32...]))
    }

    /// CKDpriv. An index at or above 2^31 is hardened.
    func child(_ index: UInt32) throws(DerivationError) -> ExtendedPrivateKey {
        let data = index >= Self.hardened ? [0] + key.bytes : key.publicKey.compressed
        let i = hmacSHA512(key: chainCode, data: data + bigEndian(index))
        // BIP-32 says to skip an index whose IL is >= n or whose child is zero;
        // that happens with probability below 2^-127, so it is an error here.
        guard let tweak = try? Scalar(bytes: Array(i[..<32])), let child = try? tweak.adding(key) else {
            throw .invalidKey
        }
        return ExtendedPrivateKey(key: child, chainCode: Array(i[32...]))
    }

    func derive(_ path: [UInt32]) throws(DerivationError) -> ExtendedPrivateKey {
        var k = self
        for index in path { k = try k.child(index) }
        return k
    }

    private static func hmacSHA512(key: [UInt8], data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    private func hmacSHA512(key: [UInt8], data: [UInt8]) -> [UInt8] { Self.hmacSHA512(key: key, data: data) }

    private func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }
}
