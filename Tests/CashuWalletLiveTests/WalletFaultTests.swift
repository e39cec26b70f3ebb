import Cashu
import Foundation
import LoomTestSupport
import Secp256k1
import Testing

@testable import CashuWallet

/// The wallet against a real Nutshell mint that misbehaves on cue
/// (`FaultyMint`): lost answers, refusals that never reached the mint,
/// unreadable answers, signatures that do not verify, requests still on
/// their way while another wallet looks. Each test is one interleaving from
/// issue 10; the money must come out exactly right.
@Suite(.serialized)
struct WalletFaultTests {
    static func directory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("loom-wallet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A wallet reaching `mint` through a `FaultyMint`.
    static func faulty(_ mint: TestServer, dir: URL? = nil) throws -> (Wallet, FaultyMint) {
        let faults = FaultyMint(url: mint.httpURL)
        let store = try WalletStore(path: (dir ?? directory()).appendingPathComponent("wallet.sqlite").path)
        return (try Wallet(store: store, mint: faults), faults)
    }

    static func fund(_ wallet: Wallet, _ amount: UInt64) async throws {
        let quote = try await wallet.requestMint(Amount(amount))
        _ = try await wallet.mint(quote: quote.quote, amount: Amount(amount))
    }

    /// Defect 1: the swap's request never reached the mint (a proxy's 503),
    /// and the client spent the token elsewhere before the wallet asked what
    /// happened. The receive must fail as spent — before, it returned as if
    /// paid, and the worker ran the job for nothing.
    @Test func aLostSwapWhoseTokenIsSpentElsewhereIsNotAPayment() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let client = try await WalletIntegrationTests.funded(mint, 64)
        let payment = try await client.send(20)
        let (worker, faults) = try Self.faulty(mint)
        let elsewhere = try WalletIntegrationTests.wallet(mint)
        faults.fail(.swap, with: .refuseUnsent(status: 503))
        faults.before(.restore) { _ = try? await elsewhere.receive(payment.token) }
        await #expect {
            _ = try await worker.receive(payment.token, reference: "job-1")
        } throws: { error in
            guard case WalletError.mint(.alreadySpent) = error else { return false }
            return true
        }
        #expect(faults.count(.swap) == 1, "once the mint says spent, nothing is sent again")
        #expect(try await worker.receipt(reference: "job-1") == .spentElsewhere)
        #expect(try await worker.balance() == .zero)
        #expect(try await elsewhere.balance() == 20)
        try await expectAudited(worker)
    }

    /// Defect 4: the mint did the swap but its 2xx answer could not be read.
    /// That is an unknown outcome, settled through NUT-09 — before, it was
    /// taken as a refusal: the receive was deleted although the token was spent.
    @Test func anUnreadableAnswerIsSettledThroughRestore() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let client = try await WalletIntegrationTests.funded(mint, 64)
        let payment = try await client.send(20)
        let (worker, faults) = try Self.faulty(mint)
        faults.fail(.swap, with: .unreadableAnswer)
        let got = try await worker.receive(payment.token, reference: "job-1")
        #expect(got.received == 20)
        #expect(faults.count(.swap) == 1, "restore found the signatures: no second swap")
        #expect(try await worker.balance() == 20)
        try await expectAudited(worker)
    }

    /// Defect 4, the other half: signatures whose DLEQ proof fails leave the
    /// operation open (the mint took the inputs); a later recovery gets good
    /// signatures through restore and settles it.
    @Test func signaturesThatDoNotVerifyLeaveTheOperationOpen() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let client = try await WalletIntegrationTests.funded(mint, 64)
        let payment = try await client.send(20)
        let (worker, faults) = try Self.faulty(mint)
        faults.fail(.swap, with: .breakDLEQ)
        await #expect {
            _ = try await worker.receive(payment.token, reference: "job-1")
        } throws: { error in
            guard case WalletError.pendingOutcome = error else { return false }
            return true
        }
        #expect(
            try await worker.receipt(reference: "job-1") == .open(operation: try #require(try await worker.history().first?.id)))
        #expect(try await worker.balance() == .zero)
        faults.reset()
        #expect(try await worker.recover().count == 1)
        guard case .taken(let received) = try await worker.receipt(reference: "job-1") else {
            Issue.record("the receive was not settled")
            return
        }
        #expect(received.received == 20)
        #expect(try await worker.balance() == 20)
        try await expectAudited(worker)
    }

    /// Defect 5: a mint that answers every swap with a 5xx while restore and
    /// checkstate work. Before, `swap` and `recover` called each other
    /// forever. Now a call sends at most `sendsPerCall` requests, and the
    /// operation waits for its retry time.
    @Test func aMintThatFailsEverySwapIsAskedABoundedNumberOfTimes() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let client = try await WalletIntegrationTests.funded(mint, 64)
        let payment = try await client.send(20)
        let (worker, faults) = try Self.faulty(mint)
        faults.failAlways(.swap, with: .refuseUnsent(status: 500))
        await #expect {
            _ = try await worker.receive(payment.token, reference: "job-1")
        } throws: { error in
            guard case WalletError.pendingOutcome = error else { return false }
            return true
        }
        #expect(faults.count(.swap) == Wallet.sendsPerCall)
        // The periodic retry respects the backoff; a forced recovery does not.
        #expect(try await worker.recover(force: false).isEmpty)
        #expect(faults.count(.swap) == Wallet.sendsPerCall)
        _ = try await worker.recover()
        #expect(faults.count(.swap) == 2 * Wallet.sendsPerCall)
        faults.reset()
        #expect(try await worker.recover().count == 1)
        #expect(try await worker.balance() == 20)
        try await expectAudited(worker)
    }

    /// Defect 3: two wallets on one database (the worker serving, an
    /// operator's `loom wallet balance`). While one wallet's send is on its
    /// way to the mint, the other's recovery must leave it alone — before, it
    /// settled it as failed, the send then went through, and the wallet held
    /// phantom proofs that broke every later send.
    @Test func recoveryLeavesAnotherLiveWalletsRequestAlone() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let dir = try Self.directory()
        let (serving, faults) = try Self.faulty(mint, dir: dir)
        try await Self.fund(serving, 64)
        let operator_ = try Wallet(
            store: WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path), mintURL: mint.httpURL)
        let settledMeanwhile = SettledBox()
        faults.before(.swap) { settledMeanwhile.set((try? await operator_.recover()) ?? ["recover threw"]) }
        let sent = try await serving.send(10)
        #expect(settledMeanwhile.value == [], "the operator's recovery must not touch the serving wallet's send")
        #expect(try await serving.balance() == 54)
        #expect(try await operator_.balance() == 54)
        // No phantom proofs: the operator's wallet can spend all that is left.
        let rest = try await operator_.send(54)
        #expect(rest.amount == 54)
        let bob = try WalletIntegrationTests.wallet(mint)
        #expect(try await bob.receive(sent.token).received == 10)
        #expect(try await bob.receive(rest.token).received == 54)
        try await expectAudited(serving)
    }

    /// …and once that wallet is gone (its process died), its open operation
    /// is anybody's to settle.
    @Test func aDeadWalletsOpenOperationIsRecoveredByTheNext() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let dir = try Self.directory()
        var first: (Wallet, FaultyMint)? = try Self.faulty(mint, dir: dir)
        try await Self.fund(first!.0, 64)
        first!.1.fail(.swap, with: .loseAnswer)
        first!.1.failAlways(.restore, with: .refuseUnsent(status: 503))
        await #expect(throws: WalletError.self) { _ = try await first!.0.send(10, memo: "m") }
        first = nil  // the wallet (and its lease) is gone
        let next = try Wallet(store: WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path), mintURL: mint.httpURL)
        #expect(try await next.recover().count == 1)
        let sent = try #require(try await next.settledSend(memo: "m"))
        #expect(sent.amount == 10)
        #expect(try await next.balance() == 54)
        try await expectAudited(next)
    }

    /// Defect 2 at the wallet: a send whose answer was lost stays the one
    /// send for its memo. Asking again before the mint has told returns
    /// "pending" (never a second send); once settled, the same token.
    @Test func anOpenSendIsFinishedNeverRepeated() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        let (wallet, faults) = try Self.faulty(mint)
        try await Self.fund(wallet, 100)
        faults.fail(.swap, with: .loseAnswer)
        faults.failAlways(.restore, with: .refuseUnsent(status: 503))
        await #expect(throws: WalletError.self) { _ = try await wallet.send(spending: 30, memo: "change job-1") }
        faults.reset()
        await #expect {
            _ = try await wallet.settledSend(memo: "change job-1")
        } throws: { error in
            guard case WalletError.pendingOutcome = error else { return false }
            return true
        }
        #expect(try await wallet.recover().count == 1)
        let sent = try #require(try await wallet.settledSend(memo: "change job-1"))
        #expect(sent.amount.value + sent.fee.value == 30)
        #expect(try await wallet.settledSend(memo: "change job-1") == sent)
        #expect(try await wallet.history().filter { $0.kind == "send" }.count == 1)
        #expect(faults.count(.swap) == 1, "the lost swap had gone through: restore settled it, nothing was sent twice")
        try await expectAudited(wallet)
    }

    /// Defect 15, self-healing: a send judged failed although the mint did
    /// it leaves proofs the wallet thinks unspent. The next send that picks
    /// them is refused as spent; the wallet then finds the earlier send
    /// (its outputs are signed), settles it, and pays with other proofs.
    @Test func aSendRefusedAsSpentHealsTheWalletAndRetries() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let (wallet, _) = try Self.faulty(mint)
        try await Self.fund(wallet, 64)
        let first = try await wallet.send(10)
        // Make the journal wrong the way a bad recovery did: the send
        // "failed", its input is unspent again, its outputs were never stored.
        try await wallet.store.db.write { db in
            try db.execute(sql: "UPDATE operations SET state = 'failed', token = NULL WHERE id = ?", arguments: [first.operation])
            try db.execute(
                sql: "DELETE FROM proofs WHERE secret IN (SELECT secret FROM outputs WHERE operation_id = ?)",
                arguments: [first.operation])
            try db.execute(sql: "UPDATE proofs SET state = 'unspent' WHERE operation_id = ?", arguments: [first.operation])
        }
        #expect(try await wallet.balance() == 64, "the phantom: the journal counts a spent proof")
        let second = try await wallet.send(20)
        #expect(second.amount == 20)
        #expect(try await wallet.balance() == 34)
        let history = try await wallet.history()
        #expect(history.first { $0.id == first.operation }?.state == "done", "the earlier send was settled after all")
        #expect(!history.contains { $0.kind == "writeoff" })
        try await expectAudited(wallet)
    }

    /// Proofs the mint says are spent and no operation of ours explains (the
    /// same seed restored elsewhere spent them) are written off, so the
    /// balance, the audit and the mint agree.
    @Test func proofsSpentByAnotherCopyOfTheSeedAreWrittenOff() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await WalletIntegrationTests.funded(mint, 32)
        let dir = try Self.directory()
        let store = try WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path)
        try Wallet.importMnemonic(try #require(try await alice.mnemonic()), into: store)
        let twin = try Wallet(store: store, mintURL: mint.httpURL)
        #expect(try await twin.restore() == 32)
        _ = try await twin.send(32, lockTo: SecretKey.generate().xOnlyPublicKey.evenPublicKey)
        let report = try await alice.check()
        #expect(report.foundSpent == 32)
        #expect(try await alice.balance() == .zero)
        let audit = try await alice.audit()
        #expect(audit.ok, "audit: \(audit.problems)")
        #expect(audit.writtenOff == 32)
    }
}

/// A value set from a hook and read by the test.
final class SettledBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String]?
    func set(_ value: [String]) { lock.withLock { stored = value } }
    var value: [String]? { lock.withLock { stored } }
}
