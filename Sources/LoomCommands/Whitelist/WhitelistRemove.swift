import ArgumentParser

extension WhitelistCommand {
    struct Remove: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove keys from the list <name>, public or private entries alike.")
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "The list's name.") var name: String
        @Argument(help: "Keys to remove: npub, nprofile or 64-hex.") var keys: [String]

        func run(_ console: Console) async throws {
            let members = try WhitelistCommand.publicKeys(keys)
            try await WhitelistCommand.editList(name: name, key: key, relay: relay, console) { list in
                let removed = members.filter { list.remove(pubkey: $0) }
                return "removed \(removed.count), not on the list \(members.count - removed.count)"
            }
        }
    }
}
