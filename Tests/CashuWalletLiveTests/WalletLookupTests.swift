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
    /// A claim (early admission's hold, issue 18) keeps a token from every
    /// other receive until it is journaled, and the journal refuses it after.
    @Test func aClaimedTokenIsHeldUntilItsReceiveIsJournaled() async throws {
        let mint = try await TestMint.start(inputFeePpk: 0)
        let alice = try await WalletIntegrationTests.funded(mint, 64)
        let bob = try WalletIntegrationTests.wallet(mint)
        let token = try await alice.send(10).token
        let claim = try await bob.claimReceive(token)
        func refusedAsHeld(_ error: any Error) -> Bool {
            guard case WalletError.held = error else { return false }
            return true
        }
        await #expect(performing: { _ = try await bob.claimReceive(token) }, throws: refusedAsHeld)
        await #expect(performing: { _ = try await bob.receive(token, reference: "job-2") }, throws: refusedAsHeld)
        await #expect(performing: { _ = try await bob.beginReceive(token, reference: "job-2") }, throws: refusedAsHeld)
        // Let go (its request was refused first): the token may be claimed again.
        bob.release(claim)
        let again = try await bob.claimReceive(token)
        let pending = try await bob.beginReceive(again, reference: "job-1")
        // Journaled: the claim is gone and the journal now names the operation.
        await #expect {
            _ = try await bob.claimReceive(token)
        } throws: { error in
            guard case WalletError.alreadyReceived(let operation) = error else { return false }
            return operation == pending.operation
        }
        let got = try await bob.completeReceive(pending)
        #expect(got.received == 10)
        #expect(try await bob.receipt(reference: "job-1") == .taken(got))
        #expect(try await bob.receipt(reference: "job-2") == .none)
        #expect(try await bob.balance() == 10)
        #expect(try await bob.audit().ok)
    }
}
