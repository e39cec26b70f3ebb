import LoomWorker
import Nostr

extension WhitelistCommand {
    /// A list as `show` and `list` print it with `--json`.
    struct ShowOutput: Encodable {
        let name: String
        let title: String?
        let naddr: String
        let eventID: String
        let createdAt: Int64
        let publicEntries: [String]
        let privateEntries: [String]
        let privateUnread: Bool

        init(address: ListAddress, event: Event, list: NIP51List) {
            func npubs(_ tags: [[String]]) -> [String] {
                NIP51List(kind: list.kind, publicTags: tags).pubkeys.map(\.npub)
            }
            name = address.identifier
            title = list.title
            naddr = address.naddr
            eventID = event.id
            createdAt = event.createdAt
            publicEntries = npubs(list.publicTags)
            privateEntries = npubs(list.privateTags)
            privateUnread = list.unreadContent != nil
        }

        enum CodingKeys: String, CodingKey {
            case name, title, naddr
            case eventID = "event_id", createdAt = "created_at", publicEntries = "public", privateEntries = "private"
            case privateUnread = "private_unread"
        }
    }
}
