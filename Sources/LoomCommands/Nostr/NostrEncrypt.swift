import ArgumentParser
import Nostr

extension NostrCommand {
    struct Encrypt: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "encrypt",
            abstract: "NIP-44 v2 encrypt a message to a public key (stdin when no message is given)."
        )
        @OptionGroup var key: KeyOptions
        @Option(help: "Recipient: npub, nprofile or 64-hex public key.") var to: String
        @Argument(help: "Plaintext; read from stdin when omitted.") var message: String?

        func run(_ console: Console) throws {
            let sk = try key.secretKey(console)
            let peer = try KeyText.publicKey(to, option: "--to")
            let plaintext = message ?? console.readInput()
            do {
                console.print(try NIP44.encrypt(plaintext, conversationKey: NIP44.conversationKey(sk, peer)))
            } catch {
                throw ValidationError("cannot encrypt: \(error)")
            }
        }
    }
}
