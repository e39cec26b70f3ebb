import ArgumentParser
import Nostr

extension WhitelistCommand {
    struct Publish: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Send the newest version of <name> to every relay given and print the naddr to put in a worker's WHITELIST."
        )
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "The list's name.") var name: String

        func run(_ console: Console) async throws {
            try await WhitelistRelays.withCuratorList(name, key: key, relay: relay, console) { curator, address, relays in
                guard let event = try await relays.newest(address) else { throw WhitelistCommand.notFound(address) }
                // The same signed event again: relays that missed it get it, the others answer "duplicate".
                let accepted = try await relays.publish(event)
                let list = (try? NIP51List.parse(event, decryptingWith: curator)) ?? NIP51List.followSet(identifier: name)
                let output = EditOutput(address: address, relays: accepted, event: event, list: list)
                try output.print(json: relay.json, text: output.naddr, on: console)
            }
        }
    }
}
