import ArgumentParser
import CashuWallet
import Foundation
import LoomClient
import NostrRelay
import Secp256k1

/// Options the client commands (`loom job …`, `loom workers`) share. Their
/// problems are failures (exit 1), usage ones included: `loom job` keeps
/// 2–5 for how a job ended (docs/CLIENT.md).
struct ClientOptions: ParsableArguments {
    @Option(
        name: .customLong("relay"),
        help: """
            Relay URL (repeatable). Default: $NOSTR_RELAYS (comma-separated), \
            else the public relays wss://relay.damus.io, wss://nos.lol, wss://relay.primal.net.
            """)
    var relays: [String] = []

    @Option(help: "Data directory: wallet.sqlite, the client key and the job journal. Default: $DATA_DIR, else ~/.loom.")
    var dataDir: String?

    @Option(
        name: .customLong("key-file"),
        help: """
            File holding the client's nsec. Default: $NOSTR_PRIVATE_KEY, \
            else client.key in the data directory (created once, mode 0600).
            """)
    var keyFile: String?

    var directory: URL { Defaults.dataDirectory(dataDir) }

    /// The flags, `$NOSTR_RELAYS`, else the public relays (`RelayChoice`).
    func relayChoice(environment: String? = Defaults.environment("NOSTR_RELAYS")) -> RelayChoice {
        RelayChoice.resolve(flags: relays, environment: environment)
    }

    /// The relays to use; says on stderr when they are the public defaults.
    func relayURLs(_ console: Console, environment: String? = Defaults.environment("NOSTR_RELAYS")) -> [String] {
        let choice = relayChoice(environment: environment)
        if let notice = choice.notice { console.warn("note: " + notice) }
        return choice.urls
    }

    func pool(_ console: Console) throws -> RelayPool {
        try RelayPool(urls: relayURLs(console), configuration: RelayConfiguration(publishTimeout: .seconds(10)))
    }

    func ensureDirectory() throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// `--key-file`, `$NOSTR_PRIVATE_KEY`, or the data directory's own key,
    /// generated on first use. A client key is an identity, not money, but a
    /// stranger holding it could read our results and cancel our jobs: 0600.
    func secretKey(_ console: Console) throws -> SecretKey {
        let given = KeyOptions(keyFile: keyFile)
        if given.isGiven {
            do { return try given.secretKey(console) } catch let e as ValidationError { throw CLIError(e.message) }
        }
        try ensureDirectory()
        let path = directory.appendingPathComponent("client.key").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            FilePermissions.warnIfReadableByOthers(path, console)
            let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do { return try KeyText.secretKey(text, source: path) } catch let e as ValidationError { throw CLIError(e.message) }
        }
        let key = SecretKey.generate()
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((key.nsec + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CLIError("cannot write the client key to \(path)")
        }
        return key
    }

    /// The wallet at `mint`, able to open change locked to `key`, with interrupted operations settled.
    func wallet(mint: String, key: SecretKey) async throws -> Wallet {
        try ensureDirectory()
        let store = try WalletStore(path: directory.appendingPathComponent("wallet.sqlite").path)
        let wallet = try Wallet(store: store, mintURL: mint, lockKey: key, crashPoint: Defaults.crashPoint)
        _ = try? await wallet.recover()
        return wallet
    }

    /// `lockedReserve`: keep tokens locked ahead to workers that admit early
    /// (`LockedReserve`), for a long-running caller (`loom gateway`).
    func client(mint: String?, _ console: Console, lockedReserve: Bool = false) async throws -> JobClient {
        let key = try secretKey(console)
        try ensureDirectory()
        var wallet: Wallet?
        if let mint { wallet = try await self.wallet(mint: mint, key: key) }
        return JobClient(
            key: key, pool: try pool(console), journal: try ClientJournal(dataDirectory: directory), wallet: wallet,
            reserve: lockedReserve ? wallet.map { LockedReserve(wallet: $0) } : nil)
    }
}
