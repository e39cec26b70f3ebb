import Nostr

extension WhitelistCommand {
    /// Fetch the newest version, apply `edit`, republish it one second later at
    /// least, so it replaces the version it was made from on every relay.
    static func editList(
        name: String, key: KeyOptions, relay: RelayOptions, _ console: Console,
        edit: (inout NIP51List) throws -> String
    ) async throws {
        try await WhitelistRelays.withCuratorList(name, key: key, relay: relay, console) { curator, address, relays in
            guard let current = try await relays.newest(address) else {
                let searched = relays.pool.urls.joined(separator: ", ")
                throw CLIError.whitelist(
                    "no list named \"\(name)\" by \(curator.xOnlyPublicKey.npub) on \(searched); create it with `loom whitelist create \(name)`"
                )
            }
            var list: NIP51List
            do { list = try NIP51List.parse(current, decryptingWith: curator) } catch {
                throw CLIError.whitelist("the list cannot be read: \(error)")
            }
            let summary = try edit(&list)
            let event = try list.event(signedBy: curator, createdAt: max(Event.now(), current.createdAt + 1))
            let accepted = try await relays.publish(event)
            try EditOutput(address: address, relays: accepted, event: event, list: list)
                .print(json: relay.json, text: "\(name): \(summary); now \(list.pubkeys.count) on the list", on: console)
        }
    }
}
