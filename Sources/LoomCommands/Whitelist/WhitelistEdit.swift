import ArgumentParser
import Foundation
import LoomWorker
import Nostr
import Secp256k1

struct WhitelistCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an empty list named <name>, signed with the curator key; prints its naddr.")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "The list's name (its NIP-51 `d` identifier).") var name: String
    @Option(help: "A title shown by Nostr clients.") var title: String?

    func run() async throws {
        try await whitelistCall {
            try await withCuratorList(name, key: key, relay: relay) { curator, address, relays in
                if try await relays.newest(address) != nil {
                    throw WhitelistFailure("a list named \"\(name)\" already exists; edit it with `loom whitelist add \(name) <npub>…`")
                }
                let event = try NIP51List.followSet(identifier: name, title: title).event(signedBy: curator)
                let accepted = try await relays.publish(event)
                try printEdit(WhitelistEditOutput(address: address, relays: accepted, event: event, list: NIP51List.followSet(identifier: name)),
                              json: relay.json, text: "created \(name): \(address.naddr)")
            }
        }
    }
}

struct WhitelistAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add keys to the list <name> (fetches the newest version, edits it, republishes).")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "The list's name.") var name: String
    @Argument(help: "Keys to add: npub, nprofile or 64-hex.") var keys: [String]
    @Flag(help: "Add them as private entries, encrypted to the curator (only the curator's own worker can read them).")
    var `private` = false

    func run() async throws {
        try await whitelistCall {
            let members = try whitelistKeys(keys)
            try await editList(name: name, key: key, relay: relay) { list in
                let added = members.filter { list.add(pubkey: $0, isPrivate: `private`) }
                return "added \(added.count), already on the list \(members.count - added.count)"
            }
        }
    }
}

struct WhitelistRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove keys from the list <name>, public or private entries alike.")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "The list's name.") var name: String
    @Argument(help: "Keys to remove: npub, nprofile or 64-hex.") var keys: [String]

    func run() async throws {
        try await whitelistCall {
            let members = try whitelistKeys(keys)
            try await editList(name: name, key: key, relay: relay) { list in
                let removed = members.filter { list.remove(pubkey: $0) }
                return "removed \(removed.count), not on the list \(members.count - removed.count)"
            }
        }
    }
}

/// Fetch the newest version, apply `edit`, republish it one second later at
/// least, so it replaces the version it was made from on every relay.
func editList(name: String, key: KeyOptions, relay: WhitelistRelayOptions,
              edit: (inout NIP51List) throws -> String) async throws {
    try await withCuratorList(name, key: key, relay: relay) { curator, address, relays in
        guard let current = try await relays.newest(address) else {
            throw WhitelistFailure("no list named \"\(name)\" by \(curator.xOnlyPublicKey.npub) on \(relays.pool.urls.joined(separator: ", ")); create it with `loom whitelist create \(name)`")
        }
        var list: NIP51List
        do { list = try NIP51List.parse(current, decryptingWith: curator) } catch {
            throw WhitelistFailure("the list cannot be read: \(error)")
        }
        let summary = try edit(&list)
        let event = try list.event(signedBy: curator, createdAt: max(Event.now(), current.createdAt + 1))
        let accepted = try await relays.publish(event)
        try printEdit(WhitelistEditOutput(address: address, relays: accepted, event: event, list: list),
                      json: relay.json, text: "\(name): \(summary); now \(list.pubkeys.count) on the list")
    }
}

struct WhitelistEditOutput: Encodable {
    let name: String
    let naddr: String
    let eventID: String
    let createdAt: Int64
    let entries: Int
    let relays: [String]

    init(address: ListAddress, relays: [String], event: Event, list: NIP51List) {
        name = address.identifier
        naddr = NIP19Entity.naddr(identifier: address.identifier, pubkey: address.author, kind: address.kind, relays: relays).encoded
        eventID = event.id
        createdAt = event.createdAt
        entries = list.pubkeys.count
        self.relays = relays
    }

    enum CodingKeys: String, CodingKey {
        case name, naddr, entries, relays
        case eventID = "event_id", createdAt = "created_at"
    }
}

func printEdit(_ output: WhitelistEditOutput, json: Bool, text: String) throws {
    print(json ? try JSONOutput.string(output) : text)
}
