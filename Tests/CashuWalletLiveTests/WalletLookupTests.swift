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

        let found = try #require(try await alice.settledSend(memo: "change for job 1"))
        #expect(found.token == sent.token)
        #expect(try await alice.settledSend(memo: "change for job 2") == nil)

        await #expect(throws: WalletError.self) { _ = try await alice.send(spending: 1) }
        #expect(try await alice.audit().ok)
    }

    @Test func receiptTellsWhetherALabelledReceiveHappened() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await WalletIntegrationTests.funded(mint, 64)
        let bob = try WalletIntegrationTests.wallet(mint)
        let token = try await alice.send(10).token
        #expect(try await bob.receipt(reference: "job-1") == .none)
        let got = try await bob.receive(token, reference: "job-1")
        guard case .taken(let receipt) = try await bob.receipt(reference: "job-1") else {
            Issue.record("the receive labelled job-1 is not found")
            return
        }
        #expect(receipt.operation == got.operation)
        #expect(receipt.amount == 10)
    }

    /// Defect 7 of issue 10: the same token in two requests. The second
    /// receive is refused before the mint is asked, and the first keeps its
    /// receipt (before, the second overwrote the proofs' operation, and after
    /// a crash the paid job was judged unswapped).
    @Test func aTokenIsReceivedOnceAndKeepsItsReceipt() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await WalletIntegrationTests.funded(mint, 64)
        let bob = try WalletIntegrationTests.wallet(mint)
        let token = try await alice.send(10).token
        let first = try await bob.receive(token, reference: "job-1")
        await #expect {
            _ = try await bob.receive(token, reference: "job-2")
        } throws: { error in
            guard case WalletError.alreadyReceived(let operation) = error else { return false }
            return operation == first.operation
        }
        #expect(try await bob.receipt(reference: "job-1") == .taken(first))
        #expect(try await bob.receipt(reference: "job-2") == .none)
        #expect(try await bob.balance() == 10)
        #expect(try await bob.audit().ok)
        // A token of bob's own, once sent away, may come back: that is not a repeat.
        let own = try await bob.send(4)
        let back = try await bob.receive(own.token, reference: "job-3")
        #expect(back.received == 4)
        #expect(try await bob.balance() == 10)
        #expect(try await bob.audit().ok)
    }
}
