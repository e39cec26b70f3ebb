import CSecp256k1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one libsecp256k1 context of the process.
///
/// A context is read-only after randomisation, so one shared instance is safe
/// from every thread (libsecp256k1's own guidance).
final class Context: @unchecked Sendable {
    static let shared = Context()
    let raw: OpaquePointer

    private init() {
        raw = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        // Randomisation blinds signing and key generation against side channels.
        var seed = SecureRandom.bytes(32)
        let ok = secp256k1_context_randomize(raw, &seed)
        precondition(ok == 1, "secp256k1_context_randomize failed")
    }
}

/// Cryptographically secure random bytes from the operating system.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: rng.next() as UInt64) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }
}
