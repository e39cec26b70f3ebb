import ArgumentParser

@main
struct Loom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loom",
        abstract: "A Nostr compute-marketplace worker paid in Cashu ecash.",
        discussion: """
            Operators run `loom worker` beside Ollama; clients use `loom job`; \
            `loom nostr` is a toolbox for scripts and debugging.
            """,
        version: LoomVersion.string,
        subcommands: [Keygen.self, NostrCommand.self, WalletCommand.self, BlossomCommand.self, Bench.self]
    )
}

enum LoomVersion {
    static let string = "0.1.0"
}
