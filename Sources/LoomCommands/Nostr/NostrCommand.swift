import ArgumentParser

/// `loom nostr …`: small, scriptable Nostr tools. Output is JSON or plain
/// text on stdout; problems go to stderr with a non-zero exit code.
struct NostrCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nostr",
        abstract: "Nostr toolbox: sign, verify, encrypt, NIP-19, query relays.",
        subcommands: [
            SignEvent.self, Verify.self, Encrypt.self, Decrypt.self,
            Decode.self, Encode.self, Req.self,
        ]
    )
}
