import Foundation
import Nostr
import Secp256k1

/// Where a NIP-51 list lives: author, kind and `d` identifier (NIP-01's
/// address of an addressable event). Relay hints in the naddr are not kept:
/// the worker reads lists on its own relays, the ones it is connected to.
public struct ListAddress: Sendable, Hashable, CustomStringConvertible {
    public let author: XOnlyPublicKey
    public let kind: Int
    public let identifier: String

    public init(author: XOnlyPublicKey, kind: Int = NIP51List.followSetKind, identifier: String) {
        self.author = author
        self.kind = kind
        self.identifier = identifier
    }

    public enum Invalid: Error, Sendable, CustomStringConvertible {
        case notAnAddress(String)
        case notAList(kind: Int)

        public var description: String {
            switch self {
            case .notAnAddress(let why): why
            case .notAList(let kind): "kind \(kind) is not a NIP-51 list (30000 is a follow set)"
            }
        }
    }

    public init(naddr text: String) throws(Invalid) {
        let entity: NIP19Entity
        do { entity = try NIP19Entity.decode(text.trimmingCharacters(in: .whitespaces)) } catch {
            throw .notAnAddress(error.description)
        }
        guard case .naddr(let identifier, let author, let kind, _) = entity else {
            throw .notAnAddress("a \(entity.prefix), not an naddr")
        }
        guard NIP51List.isListKind(kind) else { throw .notAList(kind: kind) }
        self.init(author: author, kind: kind, identifier: identifier)
    }

    public var naddr: String { NIP19Entity.naddr(identifier: identifier, pubkey: author, kind: kind, relays: []).encoded }

    /// The relay filter for every version of this list.
    public var filter: Filter {
        Filter(authors: [author.hex], kinds: [kind], tags: isAddressable ? ["d": [identifier]] : [:])
    }

    var isAddressable: Bool { (30000..<40000).contains(kind) }

    /// True when `event` is a version of this list (relays may send more than asked).
    public func matches(_ event: Event) -> Bool {
        event.kind == kind && event.pubkey.lowercased() == author.hex && (!isAddressable || event.identifier == identifier)
    }

    public var description: String { "\(kind):\(author.hex):\(identifier)" }
}

/// The whitelist file: one npub, 64-hex public key or naddr per line, `#`
/// comments (whole line or trailing), blank lines. A bad line is reported
/// with its number and skipped, never fatal: a typo must not stop a worker
/// that serves everyone else on the list.
public struct WhitelistFile: Sendable, Equatable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let text: String
        public let reason: String
        public var description: String { "line \(line): \"\(text)\": \(reason)" }
    }

    /// Public keys as lowercase hex.
    public var pubkeys: Set<String> = []
    public var lists: [ListAddress] = []
    public var problems: [Problem] = []

    public init() {}

    public static func parse(_ text: String) -> WhitelistFile {
        var file = WhitelistFile()
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = (raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            // Problems are logged: a secret key pasted here by mistake must not be repeated there.
            if line.lowercased().hasPrefix("nsec1") {
                file.problems.append(
                    Problem(
                        line: index + 1, text: "nsec1…",
                        reason: "a secret key; put the npub here and keep the nsec private"))
                continue
            }
            if line.lowercased().hasPrefix("naddr1") || line.lowercased().hasPrefix("nostr:naddr1") {
                do {
                    let address = try ListAddress(naddr: line)
                    if !file.lists.contains(address) { file.lists.append(address) }
                } catch {
                    file.problems.append(Problem(line: index + 1, text: line, reason: error.description))
                }
                continue
            }
            do { file.pubkeys.insert(try NIP19.publicKey(from: line).hex) } catch {
                file.problems.append(Problem(line: index + 1, text: String(line.prefix(80)), reason: error.description))
            }
        }
        return file
    }
}
