import ArgumentParser
import CashuWallet
import Foundation
import Secp256k1

extension WalletCommand {
    /// Options every wallet command shares.
    struct Options: ParsableArguments {
        @Option(help: "Data directory holding wallet.sqlite. Default: $DATA_DIR, else ~/.loom.")
        var dataDir: String?

        @Option(help: "Mint URL. Default: the first of $CASHU_MINT_URL.")
        var mint: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        var directory: String { dataDir ?? Defaults.dataDirectory(nil).path }

        func mintURL() throws -> String {
            guard let mint = Defaults.mint(mint) else { throw ValidationError("no mint: pass --mint URL or set CASHU_MINT_URL") }
            return mint
        }

        func store() throws -> WalletStore {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            return try WalletStore(path: directory + "/wallet.sqlite")
        }

        /// The wallet, with interrupted operations settled first.
        func open(lockKey: SecretKey? = nil) async throws -> Wallet {
            let wallet = try Wallet(store: try store(), mintURL: try mintURL(), lockKey: lockKey, crashPoint: Defaults.crashPoint)
            _ = try? await wallet.recover()
            return wallet
        }

        /// `value` as JSON with `--json`, else `text`.
        func emit<T: Encodable>(_ value: T, text: String, to console: Console) throws {
            if json { try console.printJSON(value) } else { console.print(text) }
        }
    }
}
