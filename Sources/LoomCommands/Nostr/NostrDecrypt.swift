import ArgumentParser
import Foundation
import Nostr

extension NostrCommand {
    struct Decrypt: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "decrypt",
            abstract: "NIP-44 v2 decrypt a payload from a public key (stdin when no payload is given)."
        )
        @OptionGroup var key: KeyOptions
        @Option(help: "Sender: npub, nprofile or 64-hex public key.") var from: String
        @Argument(help: "Base64 payload; read from stdin when omitted.") var payload: String?

        func run(_ console: Console) throws {
            let sk = try key.secretKey(console)
            let peer = try KeyText.publicKey(from, option: "--from")
            let text = (payload ?? console.readInput()).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                console.write(Data(try NIP44.decrypt(text, conversationKey: NIP44.conversationKey(sk, peer)).utf8))
            } catch {
                console.warn("cannot decrypt: \(error)")
                throw CLIError.exit(.failure)
            }
        }
    }
}
