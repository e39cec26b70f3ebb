import Nostr
import Secp256k1

/// The JSON shape `loom nostr decode` prints (snake_case, hex for bytes).
struct NIP19JSON: Codable {
    var type: String
    var pubkey: String?
    var secret_key: String?
    var id: String?
    var identifier: String?
    var author: String?
    var kind: Int?
    var relays: [String]?

    init(_ entity: NIP19Entity) {
        switch entity {
        case .npub(let pk): type = "npub"; pubkey = pk.hex
        case .nsec(let sk): type = "nsec"; secret_key = sk.hex
        case .note(let id): type = "note"; self.id = Hex.encode(id)
        case .nprofile(let pk, let relays): type = "nprofile"; pubkey = pk.hex; self.relays = relays
        case .nevent(let id, let relays, let author, let kind):
            type = "nevent"; self.id = Hex.encode(id); self.relays = relays; self.author = author?.hex; self.kind = kind
        case .naddr(let identifier, let pk, let kind, let relays):
            type = "naddr"; self.identifier = identifier; pubkey = pk.hex; self.kind = kind; self.relays = relays
        }
    }
}
