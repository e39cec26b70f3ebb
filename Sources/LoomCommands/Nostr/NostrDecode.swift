import ArgumentParser
import Foundation
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

struct NostrDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a NIP-19 string (npub, nsec, note, nprofile, nevent, naddr) to JSON."
    )
    @Argument(help: "The bech32 string, with or without a nostr: prefix.") var value: String

    func run() throws {
        do {
            print(try JSONOutput.string(NIP19JSON(try NIP19Entity.decode(value))))
        } catch let e as NIP19Error {
            Console.warn("cannot decode: \(e)")
            throw ExitCode(1)
        }
    }
}

struct NostrEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode a NIP-19 string.",
        discussion: """
            Examples:
              loom nostr encode npub <hex-pubkey>
              loom nostr encode note <hex-id>
              loom nostr encode nprofile <hex-pubkey> --relay wss://r.example
              loom nostr encode nevent <hex-id> --author <hex> --kind 1 --relay wss://r.example
              loom nostr encode naddr --pubkey <hex> --kind 30000 --identifier friends --relay wss://r.example
            For nsec, pipe the hex secret on stdin: it never belongs on a command line.
            """
    )

    enum EntityType: String, ExpressibleByArgument, CaseIterable {
        case npub, nsec, note, nprofile, nevent, naddr
    }

    @Argument(help: "npub | nsec | note | nprofile | nevent | naddr") var type: EntityType
    @Argument(help: "The hex public key (npub, nprofile) or event id (note, nevent).") var value: String?
    @Option(name: .customLong("relay"), help: "A relay hint (repeatable).") var relays: [String] = []
    @Option(help: "nevent: the author's hex public key.") var author: String?
    @Option(help: "nevent, naddr: the event kind.") var kind: Int?
    @Option(help: "naddr: the author's public key.") var pubkey: String?
    @Option(help: "naddr: the `d` tag.") var identifier: String?

    func validate() throws {
        switch type {
        case .npub, .note, .nprofile, .nevent:
            if value == nil { throw ValidationError("\(type.rawValue) needs a hex value argument") }
        case .nsec:
            if value != nil { throw ValidationError("pass the nsec's hex secret on stdin, not as an argument") }
        case .naddr:
            if pubkey == nil || kind == nil || identifier == nil {
                throw ValidationError("naddr needs --pubkey, --kind and --identifier")
            }
        }
    }

    func run() throws {
        let entity: NIP19Entity
        switch type {
        case .npub: entity = .npub(try hexKey(value!, "public key"))
        case .nsec:
            let hex = Console.readStdin().trimmingCharacters(in: .whitespacesAndNewlines)
            do { entity = .nsec(try SecretKey(hex: hex)) } catch { throw ValidationError("secret key on stdin: \(error)") }
        case .note: entity = .note(id: try hexID(value!))
        case .nprofile: entity = .nprofile(pubkey: try hexKey(value!, "public key"), relays: relays)
        case .nevent:
            entity = .nevent(id: try hexID(value!), relays: relays,
                             author: try author.map { try hexKey($0, "--author") }, kind: kind)
        case .naddr:
            entity = .naddr(identifier: identifier!, pubkey: try hexKey(pubkey!, "--pubkey"), kind: kind!, relays: relays)
        }
        do { print(try entity.encode()) } catch { throw ValidationError("\(error)") }
    }

    func hexKey(_ s: String, _ what: String) throws -> XOnlyPublicKey {
        do { return try XOnlyPublicKey(hex: s) } catch { throw ValidationError("\(what): \(error)") }
    }

    func hexID(_ s: String) throws -> [UInt8] {
        do { return try Hex.decode(s, length: 32) } catch { throw ValidationError("event id: \(error)") }
    }
}
