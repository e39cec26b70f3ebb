import ArgumentParser

/// `loom whitelist …`: curators keep NIP-51 follow sets (kind 30000) that
/// workers follow live through `WHITELIST=naddr1…`.
///
/// The lists live on the relays only, never in a local file: workers read the
/// relays, so the relays are the truth. A local copy would drift as soon as a
/// curator edits from a second machine or another Nostr client, and every
/// edit here starts from the newest version on the relays (fetch, edit,
/// republish with a later `created_at`), so nothing is lost between editors.
struct WhitelistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whitelist",
        abstract: "Curate NIP-51 lists (kind 30000) of keys that workers serve.",
        discussion: """
            Exit codes: 0 done (for `check`: the key is on the list), 1 the key is not on the list, \
            2 the command failed (list not found, bad key, no relay answered), 64 a usage error \
            (missing argument or curator key).
            """,
        subcommands: [Create.self, Add.self, Remove.self, Show.self, List.self, Publish.self, Check.self]
    )
}
