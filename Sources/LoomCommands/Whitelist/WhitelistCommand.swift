import ArgumentParser
import Foundation
import Nostr
import NostrRelay
import Secp256k1

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
        subcommands: [WhitelistCreate.self, WhitelistAdd.self, WhitelistRemove.self, WhitelistShow.self,
                      WhitelistList.self, WhitelistPublish.self, WhitelistCheck.self]
    )
}

/// Options every `loom whitelist` command shares.
struct WhitelistRelayOptions: ParsableArguments {
    @Option(name: .customLong("relay"), help: "Relay URL (repeatable). Defaults to $NOSTR_RELAYS (comma-separated).")
    var relays: [String] = []
    @Option(help: "Seconds to wait for relays to answer.") var timeout: Double = 10
    @Flag(help: "Print JSON instead of text.") var json = false

    func urls() throws -> [String] {
        var urls = relays
        if urls.isEmpty, let env = ProcessInfo.processInfo.environment["NOSTR_RELAYS"] {
            urls = env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard !urls.isEmpty else { throw ValidationError("no relays: pass --relay wss://… (repeatable) or set NOSTR_RELAYS") }
        for url in urls where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw ValidationError("--relay \(url): relays are ws:// or wss:// URLs")
        }
        return urls
    }

    var duration: Duration { .milliseconds(Int64(max(timeout, 0.1) * 1000)) }
}

/// A failure the user can act on; printed as `error: …`, exit code 2.
struct WhitelistFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body, turning failures into a message and exit code 2 so
/// that `check` can keep 1 for "not on the list".
func whitelistCall(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let failure as WhitelistFailure {
        Console.warn("error: \(failure.description)")
        throw ExitCode(2)
    }
}

/// Keys as curators paste them: npub, nprofile or hex; all checked before any relay is asked.
func whitelistKeys(_ texts: [String]) throws -> [XOnlyPublicKey] {
    try texts.map { text in
        // A pasted secret key is never echoed back: stderr ends up in logs and terminals.
        if text.lowercased().hasPrefix("nsec") || text.lowercased().hasPrefix("nostr:nsec") {
            throw WhitelistFailure("an argument is a secret key (nsec…); give the npub instead, and keep the nsec private")
        }
        do { return try NIP19.publicKey(from: text) } catch {
            throw WhitelistFailure("\"\(text)\" is not a public key (\(error)); give an npub1…, nprofile1… or 64 hex characters")
        }
    }
}
