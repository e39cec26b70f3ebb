import Cashu
import Foundation
import LoomTestSupport
import Testing

@testable import CashuWallet

/// Payments without a swap (`sendHeld`) and the top-up that makes them
/// possible (`keepDenominations`), against a real Nutshell mint with fees on.
@Suite(.serialized)
struct WalletDenominationTests {
    @Test func heldProofsPayWithoutASwapOnceToppedUp() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        // Minted as 256 + 128 + 64 + 32 + 16 + 4.
        let alice = try await WalletIntegrationTests.funded(mint, 500)
        #expect(try await alice.sendHeld(13) == nil, "no 8 and no 1 held: nothing fits, nothing is spent")
        #expect(try await alice.balance() == 500)

        let fee = try await alice.keepDenominations(largest: 64, each: 3, reserve: 100)
        #expect(fee == 1, "one swap of 256 + 128 at 100 ppk")
        #expect(try await alice.balance() == 499)
        let held = try await alice.store.db.read { db in
            try Int64.fetchAll(db, sql: "SELECT amount FROM proofs WHERE state = 'unspent'")
        }
        for d in [1, 2, 4, 8, 16, 32, 64] as [Int64] { #expect(held.filter { $0 == d }.count >= 3, "\(d) sat held") }
        #expect(try await alice.keepDenominations(largest: 64, each: 3, reserve: 100) == nil, "enough held already")

        let sent = try #require(try await alice.sendHeld(13))
        #expect(sent.amount == 13)
        #expect(sent.fee == .zero)
        #expect(try await alice.balance() == 486)
        #expect(try Token.decode(sent.token).proofs.count == 3)
        let bob = try WalletIntegrationTests.wallet(mint)
        #expect(try await bob.receive(sent.token).amount == 13)

        // A payment that came back unspent (a reclaim) is taken back like any token.
        let back = try #require(try await alice.sendHeld(7))
        let reclaimed = try await alice.receive(back.token)
        #expect(reclaimed.amount == 7)
        // And the same token a second time is refused before the mint is asked.
        await #expect(throws: WalletError.self) { _ = try await alice.receive(back.token) }
        try await expectAudited(alice)
        try await expectAudited(bob)
    }

    @Test func aTopUpNeverTakesTheMoneyAPaymentNeeds() async throws {
        let mint = try await TestMint.start(inputFeePpk: 100)
        // 64 + 32 + 4: splitting the 64 would leave 36, under the 100 sat reserve.
        let alice = try await WalletIntegrationTests.funded(mint, 100)
        #expect(try await alice.keepDenominations(largest: 32, each: 3, reserve: 100) == nil)
        #expect(try await alice.balance() == 100)
        // Without a reserve it splits the 64 into the 1, 2, 8 and 16 it lacks (and change), for one fee.
        #expect(try await alice.keepDenominations(largest: 32, each: 1, reserve: 0) == 1)
        #expect(try await alice.balance() == 99)
        try await expectAudited(alice)
    }
}
