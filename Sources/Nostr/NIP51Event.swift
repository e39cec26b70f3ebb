import Foundation
import Secp256k1

/// Reading and writing NIP-51 list events.
extension NIP51List {
    /// Reads a list event after verifying its signature (signature before
    /// decryption). With the author's key the private entries are decrypted;
    /// without a key they stay in `unreadContent`; another key is refused,
    /// because the author encrypted them to themselves.
    public static func parse(_ event: Event, decryptingWith key: SecretKey? = nil) throws(NIP51Error) -> NIP51List {
        guard isListKind(event.kind) else { throw .notAList(kind: event.kind) }
        do { try event.verify() } catch { throw .invalidEvent(error) }
        var list = NIP51List(kind: event.kind)
        // The first `d` and `title` are metadata; anything else (repeats included) is an entry.
        var sawIdentifier = false
        for tag in event.tags {
            if tag.count >= 2, tag[0] == "d", !sawIdentifier {
                list.identifier = tag[1]
                sawIdentifier = true
            } else if tag.count >= 2, tag[0] == "title", list.title == nil {
                list.title = tag[1]
            } else {
                list.publicTags.append(tag)
            }
        }
        let content = event.content
        if content.isEmpty { return list }
        // NIP-02 kind 3 once carried a relay map here: not private entries, keep it as is.
        if event.kind == followListKind && content.hasPrefix("{") { list.unreadContent = content; return list }
        guard let key else { list.unreadContent = content; return list }
        guard key.xOnlyPublicKey.hex == event.pubkey.lowercased() else { throw .notAuthor(author: event.pubkey) }
        // NIP-04 ciphertext is "<base64>?iv=<base64>"; NIP-44 base64 never holds '?'.
        if content.contains("?iv=") { throw .legacyNIP04 }
        let json: String
        do { json = try NIP44.decrypt(content, conversationKey: NIP44.conversationKey(key, key.xOnlyPublicKey)) } catch {
            throw .decryptionFailed(error)
        }
        guard let tags = try? JSONDecoder().decode([[String]].self, from: Data(json.utf8)) else { throw .malformedPrivateEntries }
        list.privateTags = tags
        return list
    }

    /// Builds and signs the list event. Private entries are encrypted to the
    /// signer's own key; content that was never read is written back verbatim.
    public func event(signedBy key: SecretKey, createdAt: Int64 = Event.now()) throws(NIP51Error) -> Event {
        guard Self.isListKind(kind) else { throw .notAList(kind: kind) }
        var tags = [[String]]()
        if isSet || !identifier.isEmpty { tags.append(["d", identifier]) }
        if let title { tags.append(["title", title]) }
        tags += publicTags
        var content = unreadContent ?? ""
        if !privateTags.isEmpty {
            // Encrypting now would replace content we could not read.
            guard unreadContent == nil else { throw .wouldOverwriteUnreadContent }
            var json = [UInt8]()
            JSONString.append(privateTags, to: &json, wire: true)
            do {
                content = try NIP44.encrypt(
                    String(decoding: json, as: UTF8.self),
                    conversationKey: NIP44.conversationKey(key, key.xOnlyPublicKey))
            } catch { throw .encryptionFailed(error) }
        }
        do { return try Event.sign(kind: kind, content: content, tags: tags, createdAt: createdAt, with: key) } catch {
            throw .signingFailed(String(describing: error))
        }
    }
}

/// Why a list could not be read or written.
public enum NIP51Error: Error, Equatable, Sendable, CustomStringConvertible {
    case notAList(kind: Int)
    case invalidEvent(EventError)
    case notAuthor(author: String)
    case legacyNIP04
    case decryptionFailed(NIP44Error)
    case malformedPrivateEntries
    case wouldOverwriteUnreadContent
    case encryptionFailed(NIP44Error)
    case signingFailed(String)

    public var description: String {
        switch self {
        case .notAList(let k): "kind \(k) is not a NIP-51 list (3, 10000-19999 or 30000-39999)"
        case .invalidEvent(let e): "list event is not valid: \(e)"
        case .notAuthor(let author):
            "private list entries are encrypted by the author to themselves; only the key of \(Self.npub(author)) can read them"
        case .legacyNIP04:
            "private list entries use deprecated NIP-04 encryption, which is not supported; republish them with NIP-44"
        case .decryptionFailed(let e): "private list entries could not be decrypted: \(e)"
        case .malformedPrivateEntries: "decrypted private list entries are not a JSON array of string arrays"
        case .wouldOverwriteUnreadContent:
            "the list has content that was not decrypted; parse it with the author's key before adding private entries"
        case .encryptionFailed(let e): "private list entries could not be encrypted: \(e)"
        case .signingFailed(let why): "list event could not be signed: \(why)"
        }
    }

    private static func npub(_ hex: String) -> String { (try? XOnlyPublicKey(hex: hex))?.npub ?? hex }
}
