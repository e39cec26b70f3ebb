import ArgumentParser
import LoomWorker
import Nostr

extension WhitelistCommand {
    struct List: LoomCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the curator's lists (kind 30000).")
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions

        func run(_ console: Console) async throws {
            let curator = try key.secretKey(console)
            let relays = try await WhitelistRelays(relay, console)
            defer { Task { await relays.close() } }
            let events = try await relays.fetch(Filter(authors: [curator.xOnlyPublicKey.hex], kinds: [NIP51List.followSetKind]))
            var newest: [String: Event] = [:]
            for event in events {
                if let held = newest[event.identifier],
                    held.createdAt > event.createdAt || (held.createdAt == event.createdAt && held.id < event.id)
                {
                    continue
                }
                newest[event.identifier] = event
            }
            let rows = newest.keys.sorted().compactMap { name -> ShowOutput? in
                guard let event = newest[name], let list = try? NIP51List.parse(event, decryptingWith: curator) else {
                    return nil
                }
                return ShowOutput(
                    address: ListAddress(author: curator.xOnlyPublicKey, identifier: name), event: event, list: list)
            }
            if relay.json { return try console.printJSON(rows) }
            if rows.isEmpty {
                console.warn("no lists by \(curator.xOnlyPublicKey.npub); create one with `loom whitelist create <name>`")
            }
            for row in rows {
                console.print("\(row.name)\t\(row.publicEntries.count + row.privateEntries.count) keys\t\(row.naddr)")
            }
        }
    }
}
