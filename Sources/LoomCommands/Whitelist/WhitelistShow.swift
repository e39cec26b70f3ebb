import ArgumentParser
import Nostr

extension WhitelistCommand {
    struct Show: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the entries of a list: one of yours by name, or anyone's by naddr.",
            discussion: "Private entries are shown only to the list's author (they are encrypted to that key).")
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "A list name (yours) or an naddr1….") var list: String

        func run(_ console: Console) async throws {
            let reader = WhitelistCommand.readerKey(key, console)
            let address = try WhitelistCommand.address(of: list, curator: reader)
            let relays = try await WhitelistRelays(relay, console)
            defer { Task { await relays.close() } }
            guard let event = try await relays.newest(address) else { throw WhitelistCommand.notFound(address) }
            let ownKey = reader.flatMap { $0.xOnlyPublicKey == address.author ? $0 : nil }
            let parsed: NIP51List
            do { parsed = try NIP51List.parse(event, decryptingWith: ownKey) } catch {
                throw CLIError.whitelist("the list cannot be read: \(error)")
            }
            let output = ShowOutput(address: address, event: event, list: parsed)
            if relay.json { return try console.printJSON(output) }
            console.print("\(address.identifier)\(parsed.title.map { " (\($0))" } ?? "")  \(address.naddr)")
            for npub in output.publicEntries { console.print(npub) }
            for npub in output.privateEntries { console.print("\(npub)  private") }
            if output.privateUnread { console.print("(private entries not shown: only the author's key can read them)") }
        }
    }
}
