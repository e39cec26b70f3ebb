import ArgumentParser
import Cashu
import CashuWallet
import Foundation
import Nostr
import Secp256k1

/// `loom wallet …`: the Cashu wallet operators empty and clients pay from.
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Cashu wallet: balance, receive, send, mint, melt, check, restore, history, audit.",
        subcommands: [WalletBalance.self, WalletReceive.self, WalletSend.self, WalletMint.self, WalletMelt.self,
                      WalletCheck.self, WalletRestore.self, WalletHistory.self, WalletAudit.self, WalletMnemonic.self]
    )
}

/// Options every wallet command shares.
struct WalletOptions: ParsableArguments {
    @Option(help: "Data directory holding wallet.sqlite. Default: $DATA_DIR, else ~/.loom.")
    var dataDir: String?

    @Option(help: "Mint URL. Default: the first of $CASHU_MINT_URL.")
    var mint: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    var directory: String {
        if let dataDir { return dataDir }
        if let env = ProcessInfo.processInfo.environment["DATA_DIR"], !env.isEmpty { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".loom").path
    }

    func mintURL() throws -> String {
        if let mint { return mint }
        let env = ProcessInfo.processInfo.environment["CASHU_MINT_URL"] ?? ""
        guard let first = env.split(separator: ",").first.map({ String($0).trimmingCharacters(in: .whitespaces) }), !first.isEmpty else {
            throw ValidationError("no mint: pass --mint URL or set CASHU_MINT_URL")
        }
        return first
    }

    func store() throws -> WalletStore {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return try WalletStore(path: directory + "/wallet.sqlite")
    }

    /// The wallet, with interrupted operations settled first.
    func open(lockKey: SecretKey? = nil) async throws -> Wallet {
        let wallet = try Wallet(store: try store(), mintURL: try mintURL(), lockKey: lockKey)
        _ = try? await wallet.recover()
        return wallet
    }

    func emit<T: Encodable>(_ value: T, text: String) throws {
        print(json ? try JSONOutput.string(value) : text)
    }
}

struct WalletBalance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "balance", abstract: "Show the balance.")
    @OptionGroup var options: WalletOptions

    func run() async throws {
        let w = try await options.open()
        let b = try await w.balances()
        struct Out: Encodable { let mint: String; let unit: String; let balance: UInt64; let pending: UInt64 }
        let pending = (b[.pending]?.value ?? 0) + (b[.reserved]?.value ?? 0)
        let out = Out(mint: w.mint.url, unit: w.unit.rawValue, balance: b[.unspent]?.value ?? 0, pending: pending)
        try options.emit(out, text: "\(out.balance) \(out.unit)" + (pending > 0 ? " (\(pending) pending)" : ""))
    }
}

struct WalletReceive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Receive a token (swap it into this wallet).")
    @OptionGroup var options: WalletOptions
    @OptionGroup var key: OptionalKeyOptions
    @Argument(help: "The cashuA/cashuB token; read from stdin when omitted or `-`.") var token: String?

    func run() async throws {
        let text = (token == nil || token == "-" ? Console.readStdin() : token!).trimmingCharacters(in: .whitespacesAndNewlines)
        let w = try await options.open(lockKey: try key.secretKeyIfGiven())
        let r = try await walletCall { try await w.receive(text) }
        try options.emit(r, text: "received \(r.received) sat (token \(r.amount), mint fee \(r.fee))")
    }
}

struct WalletSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Make a token of an exact amount; the token goes to stdout.")
    @OptionGroup var options: WalletOptions
    @Argument(help: "Amount in sat.") var amount: UInt64
    @Option(help: "Lock the token to this key (npub, hex or 02… compressed): only its holder can redeem it.") var lock: String?
    @Option(help: "A memo carried in the token.") var memo: String?

    func run() async throws {
        let w = try await options.open()
        let lockKey = try lock.map { try parseLockKey($0) }
        let s = try await walletCall { try await w.send(Amount(amount), lockTo: lockKey, memo: memo) }
        try options.emit(s, text: s.token)
        if !options.json && s.fee > .zero { Console.warn("mint fee: \(s.fee) sat") }
    }

    func parseLockKey(_ s: String) throws -> PublicKey {
        if s.count == 66, let pk = try? PublicKey(hex: s) { return pk }
        return try parsePublicKey(s, option: "--lock").evenPublicKey
    }
}

struct WalletMint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint", abstract: "Fund the wallet: get a Lightning invoice, wait for payment, mint the ecash.")
    @OptionGroup var options: WalletOptions
    @Argument(help: "Amount in sat.") var amount: UInt64
    @Option(help: "Seconds to wait for the invoice to be paid.") var timeout: Int = 600

    func run() async throws {
        let w = try await options.open()
        let q = try await walletCall { try await w.requestMint(Amount(amount)) }
        if !options.json { Console.warn("pay this invoice:\n\(q.request)") }
        let minted = try await walletCall { try await w.mint(quote: q.quote, amount: Amount(amount), timeout: .seconds(timeout)) }
        struct Out: Encodable { let minted: UInt64; let quote: String; let invoice: String; let balance: UInt64 }
        let out = Out(minted: minted.value, quote: q.quote, invoice: q.request, balance: try await w.balance().value)
        try options.emit(out, text: "minted \(out.minted) sat; balance \(out.balance) sat")
    }
}

struct WalletMelt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "melt", abstract: "Pay a Lightning invoice from the wallet (take earnings out).")
    @OptionGroup var options: WalletOptions
    @Argument(help: "A bolt11 invoice.") var invoice: String

    func run() async throws {
        let w = try await options.open()
        let m = try await walletCall { try await w.melt(invoice: invoice) }
        try options.emit(m, text: m.paid ? "paid \(m.amount) sat; fee returned \(m.change) sat" : "not paid")
        if !m.paid { throw ExitCode(1) }
    }
}

struct WalletCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Settle interrupted operations and drop proofs the mint says are spent.")
    @OptionGroup var options: WalletOptions

    func run() async throws {
        let w = try await options.open()
        let r = try await walletCall { try await w.check() }
        try options.emit(r, text: "balance \(r.balance) sat; \(r.foundSpent) sat found spent; \(r.settledOperations.count) operations settled; \(r.stillPending.count) still pending")
    }
}

struct WalletRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Recover a wallet from its 12 words (read from stdin) into this data directory.")
    @OptionGroup var options: WalletOptions

    func run() async throws {
        let phrase = Console.readStdin().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let store = try options.store()
        do { try Wallet.importMnemonic(phrase, into: store) } catch { throw ValidationError("\(error)") }
        let w = try Wallet(store: store, mintURL: try options.mintURL())
        let amount = try await walletCall { try await w.restore() }
        struct Out: Encodable { let restored: UInt64; let balance: UInt64 }
        let out = Out(restored: amount.value, balance: try await w.balance().value)
        try options.emit(out, text: "restored \(out.restored) sat; balance \(out.balance) sat")
    }
}

struct WalletHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List operations, newest first.")
    @OptionGroup var options: WalletOptions
    @Option(help: "At most this many.") var limit: Int = 50

    func run() async throws {
        let w = try await options.open()
        let ops = try await w.history(limit: limit)
        if options.json {
            print(try JSONOutput.string(ops))
        } else {
            for o in ops {
                let date = Date(timeIntervalSince1970: TimeInterval(o.createdAt)).formatted(.iso8601)
                print("\(date)  \(o.kind.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(o.amount).padding(toLength: 8, withPad: " ", startingAt: 0)) fee \(o.fee)  \(o.state)\(o.error.map { "  (\($0))" } ?? "")")
            }
        }
    }
}

struct WalletAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check that the balance equals the unspent proofs and the history; exit 1 on any mismatch.")
    @OptionGroup var options: WalletOptions

    func run() async throws {
        let w = try await options.open()
        let r = try await w.audit()
        try options.emit(r, text: r.ok ? "ok: balance \(r.balance) sat matches history" : "MISMATCH:\n" + r.problems.joined(separator: "\n"))
        if !r.ok { throw ExitCode(1) }
    }
}

struct WalletMnemonic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnemonic", abstract: "Print the wallet's 12 recovery words (secret: anyone with them can take the funds).")
    @OptionGroup var options: WalletOptions

    func run() async throws {
        let w = try Wallet(store: try options.store(), mintURL: try options.mintURL())
        print(try await w.mnemonic() ?? "")
    }
}

/// Runs a wallet call and turns its error into a clear message and exit code 1.
func walletCall<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as WalletError {
        Console.warn("error: \(e)")
        throw ExitCode(1)
    }
}

/// A secret key that is optional (only needed to open P2PK-locked tokens).
struct OptionalKeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: "nsec file, to redeem tokens locked to that key. Defaults to $NOSTR_PRIVATE_KEY when set.")
    var keyFile: String?

    func secretKeyIfGiven() throws -> SecretKey? {
        if keyFile == nil && (ProcessInfo.processInfo.environment["NOSTR_PRIVATE_KEY"] ?? "").isEmpty { return nil }
        return try KeyOptions(keyFile: keyFile).secretKey()
    }
}
