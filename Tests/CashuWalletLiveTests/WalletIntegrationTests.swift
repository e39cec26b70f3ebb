import Cashu
import Foundation
import LoomTestSupport
import Secp256k1
import Testing

@testable import CashuWallet

/// The wallet against a real Nutshell mint (FakeWallet Lightning backend).
/// Each test has its own mint and its own wallet databases.
@Suite(.serialized)
struct WalletIntegrationTests {
    static func wallet(_ mint: TestServer, lockKey: SecretKey? = nil, dir: URL? = nil) throws -> Wallet {
        let d = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("loom-wallet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return try Wallet(
            store: WalletStore(path: d.appendingPathComponent("wallet.sqlite").path), mintURL: mint.httpURL, lockKey: lockKey)
    }

    static func funded(_ mint: TestServer, _ amount: UInt64, lockKey: SecretKey? = nil) async throws -> Wallet {
        let w = try wallet(mint, lockKey: lockKey)
        let quote = try await w.requestMint(Amount(amount))
        _ = try await w.mint(quote: quote.quote, amount: Amount(amount))
        return w
    }

    @Test func mintSendReceiveWithFees() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        let alice = try await Self.funded(mint, 100)
        #expect(try await alice.balance() == 100)

        let sent = try await alice.send(21)
        #expect(sent.amount == 21)
        #expect(sent.fee > .zero, "fees are on: the swap costs alice")
        let aliceLeft = try await alice.balance()
        #expect(aliceLeft == Amount(100 - 21 - sent.fee.value))

        let bob = try Self.wallet(mint)
        let got = try await bob.receive(sent.token)
        #expect(got.amount == 21)
        #expect(got.fee > .zero)
        #expect(try await bob.balance() == Amount(21 - got.fee.value))
        try await expectAudited(alice)
        try await expectAudited(bob)
    }

    @Test func doubleSpendIsRefusedAndNothingChanges() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await Self.funded(mint, 64)
        let sent = try await alice.send(10)
        let bob = try Self.wallet(mint), carol = try Self.wallet(mint)
        _ = try await bob.receive(sent.token)
        await #expect {
            _ = try await carol.receive(sent.token)
        } throws: { error in
            guard case WalletError.mint(.alreadySpent) = error else { return false }
            return true
        }
        #expect(try await carol.balance() == .zero)
        #expect(try await bob.balance() == 10)
        try await expectAudited(carol)
    }

    @Test func feesOffMeansExactAmounts() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await Self.funded(mint, 50)
        let sent = try await alice.send(13)
        #expect(sent.fee == .zero)
        let bob = try Self.wallet(mint)
        let got = try await bob.receive(sent.token)
        #expect(got.received == 13)
        #expect(try await alice.balance() == 37)
    }

    @Test func meltPaysAnInvoiceAndReturnsUnusedFee() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        let payer = try await Self.funded(mint, 200)
        // An invoice from the same mint: FakeWallet settles it internally.
        let other = try Self.wallet(mint)
        let invoice = try await other.requestMint(50).request
        let melted = try await payer.melt(invoice: invoice)
        #expect(melted.paid)
        let left = try await payer.balance()
        #expect(left.value >= 200 - 50 - melted.feeReserve.value - melted.inputFee.value)
        #expect(left.value < 150)
        try await expectAudited(payer)
    }

    @Test func checkFindsProofsSpentElsewhere() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-wallet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let alice = try Self.wallet(mint, dir: dir)
        let q = try await alice.requestMint(32)
        _ = try await alice.mint(quote: q.quote, amount: 32)
        // A copy of the database spends the same proofs.
        let copyDir = dir.appendingPathExtension("copy")
        try FileManager.default.copyItem(at: dir, to: copyDir)
        let twin = try Self.wallet(mint, dir: copyDir)
        _ = try await twin.send(32)
        let report = try await alice.check()
        #expect(report.foundSpent == 32)
        #expect(try await alice.balance() == .zero)
    }

    @Test func restoreFromMnemonicRecoversTheBalance() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        let alice = try await Self.funded(mint, 100)
        let sent = try await alice.send(30)
        let bob = try Self.wallet(mint)
        _ = try await bob.receive(sent.token)
        let balance = try await alice.balance()
        let phrase = try #require(try await alice.mnemonic())

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-wallet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path)
        try Wallet.importMnemonic(phrase, into: store)
        let restored = try Wallet(store: store, mintURL: mint.httpURL)
        let amount = try await restored.restore()
        #expect(amount == balance)
        #expect(try await restored.balance() == balance)
        // The counters moved on: new outputs do not collide with old ones.
        let again = try await restored.send(5)
        #expect(again.amount == 5)
        try await expectAudited(restored)
    }

    @Test func tokensForAnotherMintOrUnitAreRefusedOffline() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await Self.funded(mint, 20)
        let sent = try await alice.send(5)
        var token = try Token.decode(sent.token)
        token.mint = "http://127.0.0.1:1"
        let bob = try Self.wallet(mint)
        await #expect {
            _ = try await bob.receive(try token.serializedV4())
        } throws: { error in
            guard case WalletError.wrongMint = error else { return false }
            return true
        }
        await #expect {
            _ = try await bob.receive("cashuBnotatoken")
        } throws: { error in
            guard case WalletError.token = error else { return false }
            return true
        }
    }

    @Test func p2pkLockedTokenOnlyOpensForItsKey() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await Self.funded(mint, 40)
        let workerKey = SecretKey.generate()
        let sent = try await alice.send(8, lockTo: workerKey.xOnlyPublicKey.evenPublicKey)

        let stranger = try Self.wallet(mint, lockKey: SecretKey.generate())
        await #expect {
            _ = try await stranger.receive(sent.token)
        } throws: { error in
            guard case WalletError.lockedToAnotherKey = error else { return false }
            return true
        }
        let worker = try Self.wallet(mint, lockKey: workerKey)
        let got = try await worker.receive(sent.token)
        #expect(got.received == 8)
    }
}

/// The wallet's books balance and nothing is left open.
func expectAudited(_ w: Wallet, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let report = try await w.audit()
    #expect(report.ok, "audit: \(report.problems)", sourceLocation: sourceLocation)
    #expect(report.pendingOperations == 0, sourceLocation: sourceLocation)
}
