import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import Secp256k1

/// The worker's money: one `Wallet` per accepted mint, each in its own
/// folder under the data directory, all locked to the worker's key so
/// payments P2PK-locked to the worker can be received.
final class PaymentDesk: Sendable {
    let wallets: [String: Wallet]
    /// One gate per mint: change is made one send at a time.
    let changeGates: [String: SerialGate]

    /// `connect` reaches a mint (tests put faults in between); nil = HTTP with `mintTimeout`.
    /// `crashPoint` goes to every wallet (see `WorkerConfiguration.crashPoint`).
    init(
        mints: [String], dataDirectory: URL, lockKey: SecretKey, mintTimeout: Duration = .seconds(30),
        crashPoint: String? = nil, connect: (@Sendable (String) -> any MintConnector)? = nil
    ) throws {
        var wallets: [String: Wallet] = [:]
        for mint in mints.map(Token.normalizeMintURL) {
            let dir = dataDirectory.appendingPathComponent("wallets").appendingPathComponent(Self.folderName(mint))
            try FileManager.default.createDirectory(
                at: dir, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let store = try WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path)
            wallets[mint] =
                try connect.map { try Wallet(store: store, mint: $0(mint), lockKey: lockKey, crashPoint: crashPoint) }
                ?? Wallet(store: store, mintURL: mint, lockKey: lockKey, timeout: mintTimeout, crashPoint: crashPoint)
        }
        self.wallets = wallets
        changeGates = wallets.mapValues { _ in SerialGate() }
    }

    /// Runs `body` (a send and what it needs) alone among this mint's change sends.
    func makingChange<T: Sendable>(_ mint: String, _ body: @Sendable () async throws -> T) async throws -> T {
        guard let gate = changeGates[Token.normalizeMintURL(mint)] else { return try await body() }
        return try await gate.run(body)
    }

    /// A readable, file-safe folder per mint: `mint.example.com_3338`.
    static func folderName(_ mint: String) -> String { DataDirectory.walletFolder(mint) }

    func wallet(_ mint: String) -> Wallet? { wallets[Token.normalizeMintURL(mint)] }

    /// Checks the token offline (DLEQ, locks, keysets) and returns the mint's
    /// input fee for it. No proof changes hands.
    func inspect(_ token: String, mint: String) async throws(RequestRejection) -> Amount {
        guard let wallet = wallet(mint) else { throw .wrongMint(mint) }
        do { return try await wallet.inspect(token).fee } catch { throw Self.rejection(error) }
    }

    /// Checks a token the intake decoded already (`Admission.token`) and
    /// holds its proofs for this request (`Wallet.claimReceive`): a second
    /// request with any of them is refused `spent` until the hold ends. As a
    /// value, for `async let`, which keeps no typed error.
    func claim(_ token: Token) async -> Result<Wallet.ReceiveClaim, RequestRejection> {
        guard let wallet = wallet(token.mint) else { return .failure(.wrongMint(token.mint)) }
        do { return .success(try await wallet.claimReceive(token)) } catch {
            return .failure(Self.rejection(error))
        }
    }

    /// Ends a hold whose request will not be paid.
    func release(_ claim: Wallet.ReceiveClaim) {
        wallet(claim.mint)?.release(claim)
    }

    /// Swaps the client's proofs for the worker's own, labelled with the
    /// job so that `Wallet.receipt(reference:)` finds the swap after a
    /// crash. The caller journals the job (with the token) first. `nil`
    /// means the mint's answer is unknown: the wallet journaled the swap and
    /// `recover()` will settle it.
    /// So is a token another request holds right now (the same request
    /// again, from a relay, at a restart): it is asked again later.
    func take(_ token: String, mint: String, job: String) async throws(RequestRejection) -> Received? {
        guard let wallet = wallet(mint) else { throw .wrongMint(mint) }
        do { return try await wallet.receive(token, reference: job) } catch {
            if case WalletError.pendingOutcome = error { return nil }
            if case WalletError.held = error { return nil }
            throw Self.rejection(error)
        }
    }

    /// `take` of a claimed token (the hold ends here).
    func take(_ claim: Wallet.ReceiveClaim, job: String) async throws(RequestRejection) -> Received? {
        guard let wallet = wallet(claim.mint) else { throw .wrongMint(claim.mint) }
        do { return try await wallet.receive(claim, reference: job) } catch {
            if case WalletError.pendingOutcome = error { return nil }
            throw Self.rejection(error)
        }
    }

    /// Early admission, beside the job: journals the claimed swap, labelled
    /// with the job, still without asking the mint.
    func beginTake(
        _ claim: Wallet.ReceiveClaim, mint: String, job: String
    ) async throws(RequestRejection)
        -> Wallet.PendingReceive
    {
        guard let wallet = wallet(mint) else { throw .wrongMint(mint) }
        do { return try await wallet.beginReceive(claim, reference: job) } catch { throw Self.rejection(error) }
    }

    /// Early admission, last: the swap, while the job runs. `nil`
    /// means the mint's answer is unknown, as for `take`.
    func completeTake(_ pending: Wallet.PendingReceive, mint: String) async throws(RequestRejection) -> Received? {
        guard let wallet = wallet(mint) else { throw .wrongMint(mint) }
        do { return try await wallet.completeReceive(pending) } catch {
            if case WalletError.pendingOutcome = error { return nil }
            throw Self.rejection(error)
        }
    }

    /// The client-facing code for a wallet refusal. Anything the client
    /// cannot fix and the mint did not decide is `mint-unavailable`.
    static func rejection(_ error: any Error) -> RequestRejection {
        guard let error = error as? WalletError else { return .mintUnavailable }
        switch error {
        case .token(let e): return .paymentInvalid(e.description)
        case .wrongMint(let token, _): return .wrongMint(token)
        case .wrongUnit(let token, _): return .wrongUnit(token)
        case .unknownKeyset: return .paymentInvalid("the token names a keyset the mint does not have")
        case .dleqInvalid: return .invalidDLEQ
        case .lockedToAnotherKey: return .wrongLock
        case .amountTooSmall(let amount, let fee): return .underpaid(paid: amount, needed: fee)
        // The same token in an earlier request: it pays once.
        case .alreadyReceived, .held: return .spent
        case .mint(let m):
            switch m {
            case .alreadySpent, .proofsPending: return .spent
            case .proofVerificationFailed: return .paymentInvalid("the mint could not verify the proofs")
            case .keysetUnknown, .keysetInactive: return .paymentInvalid("the mint does not accept the token's keyset")
            default: return .mintUnavailable
            }
        default: return .mintUnavailable
        }
    }
}
