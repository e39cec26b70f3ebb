import ArgumentParser
import Foundation
import Logging
import LoomWorker
import Nostr
import Secp256k1

struct WhitelistShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the entries of a list: one of yours by name, or anyone's by naddr.",
        discussion: "Private entries are shown only to the list's author (they are encrypted to that key).")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "A list name (yours) or an naddr1….") var list: String

    func run() async throws {
        try await whitelistCall {
            let reader = optionalKey(key)
            let address = try resolve(list, curator: reader)
            let relays = try await WhitelistRelays(relay)
            defer { Task { await relays.close() } }
            guard let event = try await relays.newest(address) else { throw notFound(address) }
            let ownKey = reader.flatMap { $0.xOnlyPublicKey == address.author ? $0 : nil }
            let parsed: NIP51List
            do { parsed = try NIP51List.parse(event, decryptingWith: ownKey) } catch {
                throw WhitelistFailure("the list cannot be read: \(error)")
            }
            let output = WhitelistShowOutput(address: address, event: event, list: parsed)
            if relay.json { print(try JSONOutput.string(output)); return }
            print("\(address.identifier)\(parsed.title.map { " (\($0))" } ?? "")  \(address.naddr)")
            for npub in output.publicEntries { print(npub) }
            for npub in output.privateEntries { print("\(npub)  private") }
            if output.privateUnread { print("(private entries not shown: only the author's key can read them)") }
        }
    }
}

struct WhitelistShowOutput: Encodable {
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

struct WhitelistList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the curator's lists (kind 30000).")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions

    func run() async throws {
        try await whitelistCall {
            let curator = try key.secretKey()
            let relays = try await WhitelistRelays(relay)
            defer { Task { await relays.close() } }
            let events = try await relays.fetch(Filter(authors: [curator.xOnlyPublicKey.hex], kinds: [NIP51List.followSetKind]))
            var newest: [String: Event] = [:]
            for event in events {
                if let held = newest[event.identifier],
                   held.createdAt > event.createdAt || (held.createdAt == event.createdAt && held.id < event.id) { continue }
                newest[event.identifier] = event
            }
            let rows = newest.keys.sorted().compactMap { name -> WhitelistShowOutput? in
                guard let event = newest[name], let list = try? NIP51List.parse(event, decryptingWith: curator) else { return nil }
                return WhitelistShowOutput(address: ListAddress(author: curator.xOnlyPublicKey, identifier: name), event: event, list: list)
            }
            if relay.json { print(try JSONOutput.string(rows)); return }
            if rows.isEmpty { Console.warn("no lists by \(curator.xOnlyPublicKey.npub); create one with `loom whitelist create <name>`") }
            for row in rows {
                print("\(row.name)\t\(row.publicEntries.count + row.privateEntries.count) keys\t\(row.naddr)")
            }
        }
    }
}

struct WhitelistPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Send the newest version of <name> to every relay given and print the naddr to put in a worker's WHITELIST.")
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "The list's name.") var name: String

    func run() async throws {
        try await whitelistCall {
            try await withCuratorList(name, key: key, relay: relay) { curator, address, relays in
                guard let event = try await relays.newest(address) else { throw notFound(address) }
                // The same signed event again: relays that missed it get it, the others answer "duplicate".
                let accepted = try await relays.publish(event)
                let list = (try? NIP51List.parse(event, decryptingWith: curator)) ?? NIP51List.followSet(identifier: name)
                let output = WhitelistEditOutput(address: address, relays: accepted, event: event, list: list)
                print(relay.json ? try JSONOutput.string(output) : output.naddr)
            }
        }
    }
}

struct WhitelistCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Is <key> on the list <naddr>, as a worker sees it? Exit code 0 yes, 1 no.",
        discussion: """
            Uses the worker's own rules (LoomWorker.Whitelist): the newest version wins, and private entries \
            count only when the key given with --key-file or NOSTR_PRIVATE_KEY is the list's author.
            """)
    @OptionGroup var key: KeyOptions
    @OptionGroup var relay: WhitelistRelayOptions
    @Argument(help: "The list's naddr1….") var naddr: String
    @Argument(help: "The key to look for: npub, nprofile or 64-hex.") var member: String

    func run() async throws {
        var onList = false
        try await whitelistCall {
            let address: ListAddress
            do { address = try ListAddress(naddr: naddr) } catch {
                throw WhitelistFailure("\"\(naddr)\" is not a list address: \(error)")
            }
            let pubkey = try whitelistKeys([member])[0]
            let relays = try await WhitelistRelays(relay)
            defer { Task { await relays.close() } }
            guard let event = try await relays.newest(address) else { throw notFound(address) }
            var logger = Logger(label: "loom.whitelist")
            logger.logLevel = .error
            let whitelist = Whitelist(file: nil, lists: [naddr], workerKey: optionalKey(key) ?? SecretKey.generate(), logger: logger)
            whitelist.apply(event)
            onList = whitelist.allows(pubkey.hex)
            if relay.json {
                struct Out: Encodable { let on_list: Bool; let pubkey: String; let naddr: String; let event_id: String; let created_at: Int64 }
                print(try JSONOutput.string(Out(on_list: onList, pubkey: pubkey.npub, naddr: address.naddr,
                                                event_id: event.id, created_at: event.createdAt)))
            } else {
                print(onList ? "yes: \(pubkey.npub) is on \(address.identifier)" : "no: \(pubkey.npub) is not on \(address.identifier)")
            }
        }
        if !onList { throw ExitCode(1) }
    }
}

/// The key given, if any; `show` and `check` work without one (public entries only).
func optionalKey(_ key: KeyOptions) -> SecretKey? {
    guard key.keyFile != nil || !(ProcessInfo.processInfo.environment["NOSTR_PRIVATE_KEY"] ?? "").isEmpty else { return nil }
    return try? key.secretKey()
}

/// `naddr1…` as is; a bare name is one of the curator's own lists.
func resolve(_ text: String, curator: SecretKey?) throws -> ListAddress {
    if text.lowercased().hasPrefix("naddr1") || text.lowercased().hasPrefix("nostr:naddr1") {
        do { return try ListAddress(naddr: text) } catch { throw WhitelistFailure("\"\(text)\" is not a list address: \(error)") }
    }
    guard let curator else {
        throw WhitelistFailure("a list name needs the curator key (--key-file or NOSTR_PRIVATE_KEY); or give the list's naddr1…")
    }
    return ListAddress(author: curator.xOnlyPublicKey, identifier: text)
}

func notFound(_ address: ListAddress) -> WhitelistFailure {
    WhitelistFailure("list \"\(address.identifier)\" by \(address.author.npub) not found on the relays given")
}
