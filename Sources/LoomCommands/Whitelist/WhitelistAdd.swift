import ArgumentParser

extension WhitelistCommand {
    struct Add: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add keys to the list <name> (fetches the newest version, edits it, republishes).")
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "The list's name.") var name: String
        @Argument(help: "Keys to add: npub, nprofile or 64-hex.") var keys: [String]
        @Flag(help: "Add them as private entries, encrypted to the curator (only the curator's own worker can read them).")
        var `private` = false

        func run(_ console: Console) async throws {
            let members = try WhitelistCommand.publicKeys(keys)
            try await WhitelistCommand.editList(name: name, key: key, relay: relay, console) { list in
                let added = members.filter { list.add(pubkey: $0, isPrivate: `private`) }
                return "added \(added.count), already on the list \(members.count - added.count)"
            }
        }
    }
}
