import ArgumentParser
import Nostr
import Secp256k1

extension NostrCommand {
    struct Encode: LoomCommand {
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

        func run(_ console: Console) throws {
            let entity: NIP19Entity
            switch type {
            case .npub: entity = .npub(try hexKey(value!, "public key"))
            case .nsec:
                let hex = console.readInput().trimmingCharacters(in: .whitespacesAndNewlines)
                do { entity = .nsec(try SecretKey(hex: hex)) } catch { throw ValidationError("secret key on stdin: \(error)") }
            case .note: entity = .note(id: try hexID(value!))
            case .nprofile: entity = .nprofile(pubkey: try hexKey(value!, "public key"), relays: relays)
            case .nevent:
                entity = .nevent(
                    id: try hexID(value!), relays: relays,
                    author: try author.map { try hexKey($0, "--author") }, kind: kind)
            case .naddr:
                entity = .naddr(identifier: identifier!, pubkey: try hexKey(pubkey!, "--pubkey"), kind: kind!, relays: relays)
            }
            do { console.print(try entity.encode()) } catch { throw ValidationError("\(error)") }
        }

        func hexKey(_ s: String, _ what: String) throws -> XOnlyPublicKey {
            do { return try XOnlyPublicKey(hex: s) } catch { throw ValidationError("\(what): \(error)") }
        }

        func hexID(_ s: String) throws -> [UInt8] {
            do { return try Hex.decode(s, length: 32) } catch { throw ValidationError("event id: \(error)") }
        }
    }
}
