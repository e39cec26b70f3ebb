import Cashu
import Foundation
import LoomTestSupport
import Testing
@testable import CashuWallet

/// What a caller asks after a crash (did I receive this token? did I make
/// this change?) and the send that spends an exact total, fee included.
@Suite(.serialized)
struct WalletLookupTests {
    @Test func sendSpendingTakesTheFeeOutOfTheAmount() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        let alice = try await WalletIntegrationTests.funded(mint, 100)
        let before = try await alice.balance()
        let sent = try await alice.send(spending: 30, memo: "change for job 1")
        #expect(sent.fee > .zero)
        #expect(sent.amount.value + sent.fee.value == 30)
        #expect(try await alice.balance() == Amount(before.value - 30))
        #expect(try Token.decode(sent.token).amount() == sent.amount)
        #expect(try await alice.audit().ok)

        let found = try #require(try await alice.sent(memo: "change for job 1"))
        #expect(found.token == sent.token)
        #expect(try await alice.sent(memo: "change for job 2") == nil)

        await #expect(throws: WalletError.self) { _ = try await alice.send(spending: 1) }
        #expect(try await alice.audit().ok)
    }

    @Test func receiptTellsWhetherATokenWasReceived() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await WalletIntegrationTests.funded(mint, 64)
        let bob = try WalletIntegrationTests.wallet(mint)
        let token = try await alice.send(10).token
        #expect(try await bob.receipt(of: token) == nil)
        let got = try await bob.receive(token)
        let receipt = try #require(try await bob.receipt(of: token))
        #expect(receipt.operation == got.operation)
        #expect(receipt.amount == 10)
    }
}
