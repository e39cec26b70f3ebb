import ArgumentParser

/// `loom wallet …`: the Cashu wallet operators empty and clients pay from.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Cashu wallet: balance, receive, send, mint, melt, check, restore, history, audit.",
        subcommands: [
            Balance.self, Receive.self, Send.self, Mint.self, Melt.self,
            Check.self, Restore.self, History.self, Audit.self, Mnemonic.self,
        ]
    )
}
