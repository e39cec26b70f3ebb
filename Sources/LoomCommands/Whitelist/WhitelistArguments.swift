import Foundation
import LoomWorker
import Nostr
import Secp256k1

extension CLIError {
    /// A `loom whitelist` command that could not do what was asked: exit 2,
    /// because 1 is `check`'s "not on the list".
    static func whitelist(_ message: String) -> CLIError { CLIError(message, exitCode: .refused) }
}

extension WhitelistCommand {
    /// Keys as curators paste them: npub, nprofile or hex; all checked before any relay is asked.
    static func publicKeys(_ texts: [String]) throws -> [XOnlyPublicKey] {
        try texts.map { text in
            // A pasted secret key is never echoed back: stderr ends up in logs and terminals.
            if text.lowercased().hasPrefix("nsec") || text.lowercased().hasPrefix("nostr:nsec") {
                throw CLIError.whitelist("an argument is a secret key (nsec…); give the npub instead, and keep the nsec private")
            }
            do { return try NIP19.publicKey(from: text) } catch {
                throw CLIError.whitelist(
                    "\"\(text)\" is not a public key (\(error)); give an npub1…, nprofile1… or 64 hex characters")
            }
        }
    }

    /// The key given, if any; `show` and `check` work without one (public entries only).
    static func readerKey(_ key: KeyOptions, _ console: Console) -> SecretKey? {
        guard key.isGiven else { return nil }
        return try? key.secretKey(console)
    }

    /// `naddr1…` as is; a bare name is one of the curator's own lists.
    static func address(of text: String, curator: SecretKey?) throws -> ListAddress {
        if text.lowercased().hasPrefix("naddr1") || text.lowercased().hasPrefix("nostr:naddr1") {
            do { return try ListAddress(naddr: text) } catch {
                throw CLIError.whitelist("\"\(text)\" is not a list address: \(error)")
            }
        }
        guard let curator else {
            throw CLIError.whitelist(
                "a list name needs the curator key (--key-file or NOSTR_PRIVATE_KEY); or give the list's naddr1…")
        }
        return ListAddress(author: curator.xOnlyPublicKey, identifier: text)
    }

    static func notFound(_ address: ListAddress) -> CLIError {
        CLIError.whitelist("list \"\(address.identifier)\" by \(address.author.npub) not found on the relays given")
    }
}
