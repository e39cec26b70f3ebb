import ArgumentParser
import Logging
import LoomWorker
import Nostr
import Secp256k1

extension WhitelistCommand {
    struct Check: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Is <key> on the list <naddr>, as a worker sees it? Exit code 0 yes, 1 no.",
            discussion: """
                Uses the worker's own rules (LoomWorker.Whitelist): the newest version wins, and private entries \
                count only when the key given with --key-file or NOSTR_PRIVATE_KEY is the list's author.
                """)
        @OptionGroup var key: KeyOptions
        @OptionGroup var relay: RelayOptions
        @Argument(help: "The list's naddr1….") var naddr: String
        @Argument(help: "The key to look for: npub, nprofile or 64-hex.") var member: String

        func run(_ console: Console) async throws {
            let address: ListAddress
            do { address = try ListAddress(naddr: naddr) } catch {
                throw CLIError.whitelist("\"\(naddr)\" is not a list address: \(error)")
            }
            let pubkey = try WhitelistCommand.publicKeys([member])[0]
            let relays = try await WhitelistRelays(relay, console)
            defer { Task { await relays.close() } }
            guard let event = try await relays.newest(address) else { throw WhitelistCommand.notFound(address) }
            var logger = Logger(label: "loom.whitelist")
            logger.logLevel = .error
            let reader = WhitelistCommand.readerKey(key, console)
            let whitelist = Whitelist(file: nil, lists: [naddr], workerKey: reader ?? SecretKey.generate(), logger: logger)
            whitelist.apply(event)
            let onList = whitelist.allows(pubkey.hex)
            if relay.json {
                struct Out: Encodable {
                    let on_list: Bool; let pubkey: String; let naddr: String; let event_id: String; let created_at: Int64
                }
                try console.printJSON(
                    Out(
                        on_list: onList, pubkey: pubkey.npub, naddr: address.naddr,
                        event_id: event.id, created_at: event.createdAt))
            } else {
                let verdict = onList ? "yes: \(pubkey.npub) is on" : "no: \(pubkey.npub) is not on"
                console.print("\(verdict) \(address.identifier)")
            }
            if !onList { throw CLIError.exit(.failure) }
        }
    }
}
