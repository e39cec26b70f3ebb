import ArgumentParser
import CashuWallet
import Foundation
import LoomWorker
import Secp256k1

extension WalletCommand {
    /// Options every wallet command shares.
    struct Options: ParsableArguments {
        @Option(help: "Data directory holding wallet.sqlite. Default: $DATA_DIR, else $HOME/.loom.")
        var dataDir: String?

        @Option(help: "Mint URL. Default: the first of $CASHU_MINT_URL (with --worker: else of the .env's).")
        var mint: String?

        @Flag(
            help: """
                Use the worker's wallet for the mint (its earnings): <worker data dir>/wallets/<mint>, \
                the data directory found as `loom worker pause` finds it (--data-dir, $DATA_DIR, .env, $HOME/.loom).
                """)
        var worker = false

        @Option(name: .customLong("env-file"), help: "With --worker: the worker's .env (default: ./.env when present).")
        var envFile: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        /// The worker's data directory, resolved once (nil without --worker).
        private var operatorDirectory: OperatorDirectory? {
            get throws { worker ? try OperatorDirectory.resolve(flag: dataDir, envFile: envFile) : nil }
        }

        /// The folder holding wallet.sqlite.
        func directory() throws -> String {
            guard let resolved = try operatorDirectory else { return dataDir ?? Defaults.dataDirectory(nil).path }
            return DataDirectory.wallet(of: resolved.url, mint: try mintURL()).path
        }

        func mintURL() throws -> String {
            if let mint = Defaults.mint(mint) { return mint }
            let fromFile = try operatorDirectory?.fileValues["CASHU_MINT_URL"]?.split(separator: ",").first
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if let fromFile, !fromFile.isEmpty { return fromFile }
            throw ValidationError("no mint: pass --mint URL or set CASHU_MINT_URL")
        }

        func validate() throws {
            if envFile != nil, !worker { throw ValidationError("--env-file goes with --worker") }
        }

        func store() throws -> WalletStore {
            let directory = try directory()
            if worker, !FileManager.default.fileExists(atPath: directory + "/wallet.sqlite") {
                throw ValidationError(
                    "the worker has no wallet for \(try mintURL()) at \(directory): is this the worker's folder, and the mint it accepts?"
                )
            }
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
