import ArgumentParser
import CashuWallet

extension WalletCommand {
    struct Mnemonic: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "mnemonic",
            abstract: "Print the wallet's 12 recovery words (secret: anyone with them can take the funds).")
        @OptionGroup var options: Options

        func run(_ console: Console) async throws {
            let w = try Wallet(store: try options.store(), mintURL: try options.mintURL(), crashPoint: Defaults.crashPoint)
            console.print(try await w.mnemonic() ?? "")
        }
    }
}
