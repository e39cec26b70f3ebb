import CSecp256k1
import Secp256k1

/// The uncompressed (65-byte, `04 || x || y`) form of a point, which NUT-12
/// hashes. The `Secp256k1` wrapper only exposes the compressed form; the
/// conversion is libsecp256k1's own parse/serialize (no arithmetic here).
/// TODO: move to `PublicKey.uncompressed` in the wrapper and drop this file.
extension PublicKey {
    var uncompressed: [UInt8] {
        var point = secp256k1_pubkey()
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        let ctx = SerializationContext.shared.raw
        let parsed = secp256k1_ec_pubkey_parse(ctx, &point, compressed, compressed.count)
        precondition(parsed == 1, "a PublicKey always holds a valid point")
        secp256k1_ec_pubkey_serialize(ctx, &out, &length, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return out
    }
}

/// A context of our own: Swift 6 refuses the C global `secp256k1_context_static`
/// as shared mutable state. Parsing and serializing never modify a context,
/// so one instance is safe from every thread.
private final class SerializationContext: @unchecked Sendable {
    static let shared = SerializationContext()
    let raw: OpaquePointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
}
