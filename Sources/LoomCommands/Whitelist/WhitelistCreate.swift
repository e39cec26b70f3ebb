import ArgumentParser
import Nostr

extension WhitelistCommand {
    struct Create: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create an empty list named <name>, signed with the curator key; prints its naddr.")
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "The list's name (its NIP-51 `d` identifier).") var name: String
        @Option(help: "A title shown by Nostr clients.") var title: String?

        func run(_ console: Console) async throws {
            try await WhitelistRelays.withCuratorList(name, key: key, relay: relay, console) { curator, address, relays in
                if try await relays.newest(address) != nil {
                    throw CLIError.whitelist(
                        "a list named \"\(name)\" already exists; edit it with `loom whitelist add \(name) <npub>…`")
                }
                let event = try NIP51List.followSet(identifier: name, title: title).event(signedBy: curator)
                let accepted = try await relays.publish(event)
                try EditOutput(address: address, relays: accepted, event: event, list: NIP51List.followSet(identifier: name))
                    .print(json: relay.json, text: "created \(name): \(address.naddr)", on: console)
            }
        }
    }
}
