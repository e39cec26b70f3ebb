import Cashu
import Secp256k1
import Testing

@testable import LoomProtocol

/// Which payments may start before their swap (`EarlyAdmission`): only
/// proofs that the worker alone can spend until well after the job.
struct EarlyAdmissionTests {
    static let worker = Fixture.worker.xOnlyPublicKey
    static let earliest: Int64 = Fixture.now + 1_000

    /// Proofs with the given secrets; `dleq` false leaves them without DLEQ proofs.
    static func token(_ secrets: [String], dleq: Bool = true) throws -> Token {
        let id = try KeysetID(hex: "009a1f293253e41e")
        let one = try Scalar(hex: String(repeating: "0", count: 63) + "1")
        return Token(
            mint: Fixture.mint, unit: .sat,
            proofs: secrets.map {
                Proof(
                    amount: 8, id: id, secret: $0, C: SecretKey.generate().publicKey,
                    dleq: dleq ? ProofDLEQ(e: one, s: one, r: one) : nil)
            })
    }

    static func locked(_ conditions: P2PKConditions) -> String { conditions.secret().raw }

    static var toWorker: P2PKConditions { P2PKConditions(data: worker.evenPublicKey) }

    static func check(_ token: Token) -> EarlyAdmission.Ineligible? {
        EarlyAdmission.ineligibility(token, worker: worker, earliestLocktime: earliest)
    }

    @Test func lockedToTheWorkerAloneWithDLEQQualifies() throws {
        #expect(Self.check(try Self.token([Self.locked(Self.toWorker), Self.locked(Self.toWorker)])) == nil)
        // Either parity: Nostr keys are x-only.
        let odd = P2PKConditions(data: Self.worker.evenPublicKey.negated())
        #expect(Self.check(try Self.token([Self.locked(odd)])) == nil)
        // A refund that opens after the earliest locktime is fine.
        let late = P2PKConditions(
            data: Self.worker.evenPublicKey, locktime: UInt64(Self.earliest), refundKeys: [Fixture.client.publicKey])
        #expect(Self.check(try Self.token([Self.locked(late)])) == nil)
    }

    @Test func anUnlockedProofMeansSwapFirst() throws {
        #expect(Self.check(try Self.token([Self.locked(Self.toWorker), Hex.encode(SecureRandom.bytes(32))])) == .unlocked)
        #expect(Self.check(Token(mint: Fixture.mint, unit: .sat, proofs: [])) == .unlocked)
    }

    @Test func aLockAnotherKeyCanOpenMeansSwapFirst() throws {
        let stranger = Fixture.stranger.publicKey
        let second = P2PKConditions(data: Self.worker.evenPublicKey, pubkeys: [stranger])
        #expect(Self.check(try Self.token([Self.locked(second)])) == .notWorkerAlone)
        let twoSigs = P2PKConditions(data: Self.worker.evenPublicKey, pubkeys: [stranger], nSigs: 2)
        #expect(Self.check(try Self.token([Self.locked(twoSigs)])) == .notWorkerAlone)
        #expect(Self.check(try Self.token([Self.locked(P2PKConditions(data: stranger))])) == .notWorkerAlone)
        let htlc = WellKnownSecret(kind: "HTLC", data: String(repeating: "ab", count: 32)).raw
        #expect(Self.check(try Self.token([htlc])) == .notWorkerAlone)
    }

    @Test func aProofWithoutDLEQMeansSwapFirst() throws {
        #expect(Self.check(try Self.token([Self.locked(Self.toWorker)], dleq: false)) == .noDLEQ)
    }

    @Test func aRefundThatOpensTooSoonMeansSwapFirst() throws {
        let soon = P2PKConditions(
            data: Self.worker.evenPublicKey, locktime: UInt64(Self.earliest - 1), refundKeys: [Fixture.client.publicKey])
        #expect(Self.check(try Self.token([Self.locked(soon)])) == .locktimeTooSoon)
        // Expired without refund keys: open to anyone.
        let open = P2PKConditions(data: Self.worker.evenPublicKey, locktime: UInt64(Fixture.now - 1))
        #expect(Self.check(try Self.token([Self.locked(open)])) == .locktimeTooSoon)
    }

    @Test func theEarliestLocktimeCoversTheJobTheSwapAndAMargin() {
        #expect(
            EarlyAdmission.earliestLocktime(now: 1_000, budgetSeconds: 60, mintTimeoutSeconds: 30)
                == 1_000 + 60 + 30 + EarlyAdmission.lockMargin)
        // A budget no job can have does not overflow.
        #expect(EarlyAdmission.earliestLocktime(now: 1_000, budgetSeconds: .max, mintTimeoutSeconds: 30) > 1_000)
    }
}
