import ArgumentParser
import Foundation
import Nostr
import Secp256k1

/// `loom nostr …`: small, scriptable Nostr tools. Output is JSON or plain
/// text on stdout; problems go to stderr with a non-zero exit code.
struct NostrCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nostr",
        abstract: "Nostr toolbox: sign, verify, encrypt, NIP-19, query relays.",
        subcommands: [NostrEvent.self, NostrVerify.self, NostrEncrypt.self, NostrDecrypt.self,
                      NostrDecode.self, NostrEncode.self, NostrReq.self]
    )
}

struct NostrVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Read an event (JSON) from stdin; print `valid` or the reason it is not.",
        discussion: "Exit code 0 when valid, 1 when invalid, 2 on unreadable input."
    )

    @Flag(help: "Print one JSON object: {\"valid\": bool, \"reason\": …, \"id\": …}.")
    var json = false

    func run() throws {
        let input = Console.readStdin().trimmingCharacters(in: .whitespacesAndNewlines)
        let result: (valid: Bool, reason: String?, id: String?)
        do {
            let event = try Event(json: input)
            do {
                try event.verify()
                result = (true, nil, event.id)
            } catch {
                result = (false, error.description, event.id)
            }
        } catch {
            result = (false, error.description, nil)
        }
        if json {
            struct Out: Encodable { let valid: Bool; let reason: String?; let id: String? }
            print(try JSONOutput.string(Out(valid: result.valid, reason: result.reason, id: result.id)))
        } else {
            print(result.valid ? "valid" : "invalid: \(result.reason ?? "")")
        }
        if !result.valid { throw ExitCode(1) }
    }
}

struct NostrEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "NIP-44 v2 encrypt a message to a public key (stdin when no message is given)."
    )
    @OptionGroup var key: KeyOptions
    @Option(help: "Recipient: npub, nprofile or 64-hex public key.") var to: String
    @Argument(help: "Plaintext; read from stdin when omitted.") var message: String?

    func run() throws {
        let sk = try key.secretKey()
        let peer = try parsePublicKey(to, option: "--to")
        let plaintext = message ?? Console.readStdin()
        do {
            print(try NIP44.encrypt(plaintext, conversationKey: NIP44.conversationKey(sk, peer)))
        } catch {
            throw ValidationError("cannot encrypt: \(error)")
        }
    }
}

struct NostrDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "NIP-44 v2 decrypt a payload from a public key (stdin when no payload is given)."
    )
    @OptionGroup var key: KeyOptions
    @Option(help: "Sender: npub, nprofile or 64-hex public key.") var from: String
    @Argument(help: "Base64 payload; read from stdin when omitted.") var payload: String?

    func run() throws {
        let sk = try key.secretKey()
        let peer = try parsePublicKey(from, option: "--from")
        let text = (payload ?? Console.readStdin()).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            FileHandle.standardOutput.write(Data(try NIP44.decrypt(text, conversationKey: NIP44.conversationKey(sk, peer)).utf8))
        } catch {
            Console.warn("cannot decrypt: \(error)")
            throw ExitCode(1)
        }
    }
}

/// npub, nprofile or hex → key, with a message that names the option.
func parsePublicKey(_ text: String, option: String) throws -> XOnlyPublicKey {
    do { return try NIP19.publicKey(from: text) } catch {
        throw ValidationError("\(option): \(error)")
    }
}
