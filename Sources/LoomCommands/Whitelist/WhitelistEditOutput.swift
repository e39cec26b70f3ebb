import LoomWorker
import Nostr

extension WhitelistCommand {
    /// What `create`, `add`, `remove` and `publish` print with `--json`.
    struct EditOutput: Encodable {
        let name: String
        let naddr: String
        let eventID: String
        let createdAt: Int64
        let entries: Int
        let relays: [String]

        init(address: ListAddress, relays: [String], event: Event, list: NIP51List) {
            name = address.identifier
            naddr =
                NIP19Entity.naddr(identifier: address.identifier, pubkey: address.author, kind: address.kind, relays: relays)
                .encoded
            eventID = event.id
            createdAt = event.createdAt
            entries = list.pubkeys.count
            self.relays = relays
        }

        enum CodingKeys: String, CodingKey {
            case name, naddr, entries, relays
            case eventID = "event_id", createdAt = "created_at"
        }

        func print(json: Bool, text: String, on console: Console) throws {
            if json { try console.printJSON(self) } else { console.print(text) }
        }
    }
}
