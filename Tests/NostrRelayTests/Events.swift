import Nostr
import Secp256k1

/// A signed note for a test to feed in. (NostrRelayLiveTests has the same
/// helper: test targets cannot share files, and this is all the pure tests need.)
func note(_ text: String, key: SecretKey, kind: Int = 1, tags: [[String]] = []) throws -> Event {
    try Event.sign(kind: kind, content: text, tags: tags, with: key)
}
