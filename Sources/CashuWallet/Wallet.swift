import AsyncHTTPClient
import Cashu
import Foundation
import GRDB
import NIOConcurrencyHelpers
import Secp256k1

/// A Cashu wallet for one mint and one unit, backed by `WalletStore`.
///
/// Every operation follows one pattern: journal (inputs, outputs with their
/// secrets and blinding factors, the operation) in one transaction, then call
/// the mint, then settle in one transaction. An operation interrupted between
/// the two is settled by `recover()` with NUT-09 restore and NUT-07 checks.
public actor Wallet {
    public nonisolated let mint: any MintConnector
    public nonisolated let unit: CurrencyUnit
    let store: WalletStore
    let seed: [UInt8]
    /// Key for P2PK-locked proofs sent to this wallet (the worker's Nostr key).
    let lockKey: SecretKey?
    /// The key this wallet can unlock with, as a P2PK refund key for tokens it locks to others.
    public nonisolated var refundKey: PublicKey? { lockKey?.publicKey }
    var keysets: [KeysetID: Keyset] = [:]
    /// When `refreshKeysets` last read the mint's keysets (`keysets(maxAge:)`).
    var keysetsReadAt: ContinuousClock.Instant?
    /// The token `inspect` checked last: a `receive` of the same text (a
    /// worker inspects a payment, then takes it) does not check it twice.
    var lastInspected: (text: String, token: Token, fee: Amount, sigAll: Bool)?
    /// Test hook: the named step kills the process (crash-safety tests).
    /// Passed in by the caller (`loom` reads `LOOM_CRASH_AT` once, in
    /// LoomCommands), never read from the environment here.
    let crashPoint: String?
    /// This wallet's claim on the operations it starts (see `WalletLease`).
    let lease: WalletLease
    /// Operations this wallet is sending or settling right now: `recover()`
    /// leaves them to the call that owns them.
    var inFlight: Set<String> = []
    /// Secrets of proofs held for a receive not journaled yet
    /// (`claimReceive`): the journal refuses them once written, this until
    /// then. A lock, not the actor, so that a claim can be let go in a `defer`.
    let claimed = NIOLockedValueBox<Set<String>>([])

    /// A wallet on `mintURL` over HTTP. `timeout` bounds each mint request.
    public init(
        store: WalletStore, mintURL: String, unit: CurrencyUnit = .sat, lockKey: SecretKey? = nil,
        http: HTTPClient = MintClient.sharedHTTPClient, timeout: Duration? = nil,
        crashPoint: String? = nil
    ) throws {
        let client = MintClient(
            url: mintURL, http: http,
            timeout: timeout.map { .nanoseconds(Int64($0 / .nanoseconds(1))) } ?? MintClient.defaultTimeout)
        try self.init(store: store, mint: client, unit: unit, lockKey: lockKey, crashPoint: crashPoint)
    }

    /// A wallet that reaches its mint through `mint` (tests inject faults here).
    public init(
        store: WalletStore, mint: any MintConnector, unit: CurrencyUnit = .sat, lockKey: SecretKey? = nil,
        crashPoint: String? = nil
    ) throws {
        self.store = store
        self.mint = mint
        self.unit = unit
        self.lockKey = lockKey
        self.crashPoint = crashPoint
        lease = try WalletLease(databasePath: store.path)
        let mnemonic: Mnemonic
        if let phrase = try store.meta("mnemonic") {
            do { mnemonic = try Mnemonic(phrase: phrase) } catch { throw WalletError.invalidMnemonic("\(error)") }
        } else {
            mnemonic = try Mnemonic.generate()
            try store.setMeta("mnemonic", mnemonic.phrase)
        }
        self.seed = mnemonic.seed()
    }

    /// Stops claiming the operations this wallet started: another wallet on
    /// the same database (the next run of the worker) may settle them now.
    /// Call it when done with the wallet; starting new operations after is a mistake.
    public nonisolated func close() { lease.release() }

    /// The 12 words that recover this wallet (`loom wallet restore`). Secret.
    public func mnemonic() throws -> String? { try store.meta("mnemonic") }

    // MARK: keysets

    /// Loads the mint's keysets for our unit, fetching (and id-checking) keys we do not have.
    @discardableResult
    public func refreshKeysets() async throws -> [Keyset] {
        let infos: [KeysetInfo]
        do { infos = try await mint.keysets() } catch { throw WalletError.mint(error) }
        for info in infos where info.unit == unit {
            if var known = try keysets[info.id] ?? loadKeyset(info.id) {
                known.info = info  // active flag and fee may change
                keysets[info.id] = known
            } else {
                let ks: Keyset
                do { ks = try await mint.keys(for: info.id) } catch { throw WalletError.mint(error) }
                keysets[info.id] = Keyset(info: info, keys: ks.keys)
            }
            try saveKeyset(keysets[info.id]!)
        }
        keysetsReadAt = .now
        return Array(keysets.values)
    }

    /// The keysets as last read, read again only when that was more than
    /// `maxAge` ago: a wallet that pays often (`loom gateway`) needs no mint
    /// round trip per payment for a fee that changes rarely. A fee raised
    /// within `maxAge` makes a swap priced at the old one unbalanced; the mint
    /// refuses it (nothing is lost) and the next read has the new fee.
    public func keysets(maxAge: Duration) async throws -> [Keyset] {
        if let read = keysetsReadAt, ContinuousClock.now - read < maxAge, !keysets.isEmpty { return Array(keysets.values) }
        return try await refreshKeysets()
    }

    /// The fee per proof (ppk) of the keyset this wallet's new proofs come
    /// from: the active keyset of its unit with the lowest fee.
    public func activeInputFeePpk(maxAge: Duration) async throws -> UInt64 {
        try await keysets(maxAge: maxAge).filter { $0.active && $0.unit == unit }.map(\.inputFeePpk).min() ?? 0
    }

    func ensureKeysets() async throws {
        if keysets.isEmpty {
            for ks in try loadAllKeysets() { keysets[ks.id] = ks }
        }
        if keysets.isEmpty { try await refreshKeysets() }
    }

    /// The active keyset of our unit with the lowest input fee.
    func activeKeyset() async throws -> Keyset {
        try await ensureKeysets()
        if let ks = bestActive() { return ks }
        try await refreshKeysets()
        guard let ks = bestActive() else { throw WalletError.noActiveKeyset(unit) }
        return ks
    }

    private func bestActive() -> Keyset? {
        keysets.values.filter { $0.active && $0.unit == unit }.min { $0.inputFeePpk < $1.inputFeePpk }
    }

    func keyset(_ id: KeysetID) async throws -> Keyset {
        try await ensureKeysets()
        if let ks = keysets[id] { return ks }
        try await refreshKeysets()
        guard let ks = keysets[id] else { throw WalletError.unknownKeyset(id.hex) }
        return ks
    }

    func inputFee(_ proofs: [Proof]) throws -> Amount {
        do { return try Fees.inputFee(for: proofs, keysets: keysets.values.map(\.info)) } catch {
            throw WalletError.unknownKeyset("\(error)")
        }
    }

    // MARK: balance

    public func balance() throws -> Amount {
        try store.db.read { db in
            Amount(
                UInt64(
                    try Int64.fetchOne(
                        db, sql: "SELECT COALESCE(SUM(amount), 0) FROM proofs WHERE mint = ? AND state = 'unspent'",
                        arguments: [mint.url]) ?? 0))
        }
    }

    /// Balances by state, for `loom wallet balance` and audits.
    public func balances() throws -> [ProofStatus: Amount] {
        try store.db.read { db in
            var out: [ProofStatus: Amount] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT state, SUM(amount) AS total FROM proofs WHERE mint = ? GROUP BY state", arguments: [mint.url])
            {
                if let s = ProofStatus(rawValue: row["state"]) { out[s] = Amount(UInt64(row["total"] as Int64)) }
            }
            return out
        }
    }

    func crash(at point: String) {
        if crashPoint == point { kill(getpid(), SIGKILL) }
    }
}
