import Cashu
import CashuWallet
import Foundation
import LoomTestSupport
import Secp256k1
import Testing

@testable import LoomClient

extension ClientSuites {
    /// Tokens locked ahead to a worker (`LockedReserve`), against a real
    /// Nutshell mint: made off the call's path, handed out for the same
    /// worker and amount only, and every one not spent comes back after its
    /// locktime — also after a restart, when none is reused.
    @Suite(.serialized)
    struct LockedReserveTests {
        static func wallet(_ mint: TestServer, funds: UInt64) async throws -> Wallet {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-reserve-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let wallet = try Wallet(
                store: WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path), mintURL: mint.httpURL,
                lockKey: SecretKey.generate())
            let quote = try await wallet.requestMint(Amount(funds))
            _ = try await wallet.mint(quote: quote.quote, amount: Amount(funds))
            return wallet
        }

        @Test func tokensAreLockedAheadAndComeBackAfterTheirLocktime() async throws {
            let mint = try await TestMint.start(inputFeePpk: 0)
            let wallet = try await Self.wallet(mint, funds: 64)
            let worker = SecretKey.generate().xOnlyPublicKey
            let reserve = LockedReserve(wallet: wallet, lifetime: 4, freshFor: 2)

            #expect(await reserve.take(worker: worker, amount: 8) == nil, "nothing made before a call asked")
            await reserve.refill()
            await reserve.settled()
            await reserve.refill()
            await reserve.settled()
            #expect(await reserve.counts.ready == 2)
            #expect(try await wallet.balance() == 48)
            #expect(await reserve.take(worker: SecretKey.generate().xOnlyPublicKey, amount: 8) == nil, "another worker")
            #expect(await reserve.take(worker: worker, amount: 9) == nil, "another amount")

            let used = try #require(await reserve.take(worker: worker, amount: 8))
            #expect(used.amount == 8)
            let token = try Token.decode(used.token)
            for proof in token.proofs {
                #expect(proof.dleq != nil, "the mint's DLEQ proof travels with it")
                let lock = try P2PKConditions(secret: try WellKnownSecret(parsing: proof.secret))
                #expect(lock.lockingKeys.map(\.x) == [worker.bytes])
                #expect(lock.refundKeys.map(\.x) == [try #require(wallet.refundKey).x])
                #expect(lock.locktime.map { Int64($0) } == used.locktime)
            }

            // The other one ages past `freshFor`, is no longer offered, and comes back once open.
            try await Task.sleep(for: .seconds(5))
            #expect(await reserve.take(worker: worker, amount: 8) == nil)
            #expect(await reserve.reclaim() == 8)
            #expect(try await wallet.balance() == 56)

            // A restart: the token handed out (never spent by its worker) is
            // found in the history and comes back too; the reclaimed one is not counted twice.
            let restarted = LockedReserve(wallet: wallet, lifetime: 4, freshFor: 2)
            await restarted.recover()
            #expect(await restarted.counts.ready == 0, "nothing from before a restart is offered again")
            #expect(await restarted.reclaim() == 8)
            #expect(try await wallet.balance() == 64)
            #expect(try await wallet.audit().ok)
        }

        @Test func aFeeChargingMintGetsNoLockedTokens() async throws {
            let mint = try await TestMint.start(inputFeePpk: 100)
            let wallet = try await Self.wallet(mint, funds: 64)
            let worker = SecretKey.generate().xOnlyPublicKey
            let reserve = LockedReserve(wallet: wallet)
            _ = await reserve.take(worker: worker, amount: 8)
            await reserve.refill()
            await reserve.settled()
            #expect(await reserve.counts.ready == 0)
            #expect(try await wallet.balance() == 64)
        }
    }
}
