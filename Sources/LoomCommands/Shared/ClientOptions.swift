import ArgumentParser
import CashuWallet
import Foundation
import LoomClient
import Nostr
import NostrRelay
import Secp256k1

/// Options the client commands (`loom job …`, `loom workers`) share.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("relay"), help: "Relay URL (repeatable). Default: $NOSTR_RELAYS (comma-separated).")
    var relays: [String] = []

    @Option(help: "Data directory: wallet.sqlite, the client key and the job journal. Default: $DATA_DIR, else ~/.loom.")
    var dataDir: String?

    @Option(name: .customLong("key-file"), help: "File holding the client's nsec. Default: $NOSTR_PRIVATE_KEY, else client.key in the data directory (created once, mode 0600).")
    var keyFile: String?

    var directory: URL { Self.dataDirectory(dataDir) }

    /// `--data-dir`, else $DATA_DIR, else ~/.loom.
    static func dataDirectory(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = ProcessInfo.processInfo.environment["DATA_DIR"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".loom")
    }

    func relayURLs() throws -> [String] {
        let list = relays.isEmpty
            ? (ProcessInfo.processInfo.environment["NOSTR_RELAYS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            : relays
        let urls = list.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw CommandFailure("no relay: pass --relay wss://… or set NOSTR_RELAYS") }
        return urls
    }

    func pool() throws -> RelayPool {
        do { return try RelayPool(urls: try relayURLs(), configuration: RelayConfiguration(publishTimeout: .seconds(10))) } catch let e as RelayError {
            throw CommandFailure("\(e)")
        }
    }

    func ensureDirectory() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// `--key-file`, `$NOSTR_PRIVATE_KEY`, or the data directory's own key,
    /// generated on first use. A client key is an identity, not money, but a
    /// stranger holding it could read our results and cancel our jobs: 0600.
    func secretKey() throws -> SecretKey {
        if keyFile != nil || !(ProcessInfo.processInfo.environment["NOSTR_PRIVATE_KEY"] ?? "").isEmpty {
            do { return try KeyOptions(keyFile: keyFile).secretKey() } catch let e as ValidationError { throw CommandFailure(e.message) }
        }
        try ensureDirectory()
        let path = directory.appendingPathComponent("client.key").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            FilePermissions.warnIfReadableByOthers(path)
            do { return try parseSecretKey(text.trimmingCharacters(in: .whitespacesAndNewlines), source: path) } catch let e as ValidationError {
                throw CommandFailure(e.message)
            }
        }
        let key = SecretKey.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((key.nsec + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot write the client key to \(path)")
        }
        return key
    }

    /// The wallet at `mint`, able to open change locked to `key`, with interrupted operations settled.
    func wallet(mint: String, key: SecretKey) async throws -> Wallet {
        try ensureDirectory()
        let store = try WalletStore(path: directory.appendingPathComponent("wallet.sqlite").path)
        let wallet = try Wallet(store: store, mintURL: mint, lockKey: key)
        _ = try? await wallet.recover()
        return wallet
    }

    func client(mint: String?) async throws -> JobClient {
        let key = try secretKey()
        try ensureDirectory()
        var wallet: Wallet?
        if let mint { wallet = try await self.wallet(mint: mint, key: key) }
        return JobClient(key: key, pool: try pool(), journal: try ClientJournal(dataDirectory: directory), wallet: wallet)
    }
}

/// `--mint URL` or the first of `$CASHU_MINT_URL`, or nil.
func defaultMint(_ option: String?) -> String? {
    if let option { return option }
    let env = ProcessInfo.processInfo.environment["CASHU_MINT_URL"] ?? ""
    return env.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
}

/// An error the user can act on: printed as `error: …`, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body; known errors become one clear line on stderr and exit code 1.
func reportingFailures<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as ExitCode { throw e } catch let e as CommandFailure {
        Console.warn("error: \(e)")
        throw ExitCode(1)
    } catch let e as ClientError {
        Console.warn("error: \(e)")
        throw ExitCode(1)
    } catch let e as WalletError {
        Console.warn("error: \(e)")
        throw ExitCode(1)
    } catch {
        Console.warn("error: \(error)")
        throw ExitCode(1)
    }
}

enum Terminal {
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    static var stderrIsTTY: Bool { isatty(2) == 1 }
    static var stdinIsTTY: Bool { isatty(0) == 1 }
}
