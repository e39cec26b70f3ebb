import Secp256k1
import Testing

@testable import Cashu

struct BDHKETests {
    @Test(arguments: Vectors.nut00.hash_to_curve)
    func hashToCurve(_ v: NUT00File.HashToCurve) throws {
        #expect(try BDHKE.hashToCurve([UInt8](hex: v.message)).hex == v.point)
    }

    @Test(arguments: Vectors.nut00.blinded_messages)
    func blinding(_ v: NUT00File.Blind) throws {
        #expect(try BDHKE.blind(secret: [UInt8](hex: v.x), r: Scalar(hex: v.r)).hex == v.B_)
    }

    @Test(arguments: Vectors.nut00.blind_signatures)
    func signing(_ v: NUT00File.Sign) throws {
        #expect(try BDHKE.sign(PublicKey(hex: v.B_), k: Scalar(hex: v.k)).hex == v.C_)
    }

    @Test func blindSignUnblindVerify() throws {
        let k = Scalar.random()
        let id = try KeysetID(hex: "009a1f293253e41e")
        let output = BlindingData.random(amount: 8, keysetID: id)
        let signature = BlindSignature(amount: 8, id: id, C_: BDHKE.sign(output.message.B_, k: k))
        let proof = try output.unblind(signature, mintKey: k.publicKey)
        #expect(proof.secret.count == 64)
        #expect(try BDHKE.verify(secret: Array(proof.secret.utf8), C: proof.C, k: k))
        #expect(try !BDHKE.verify(secret: Array("other".utf8), C: proof.C, k: k))
        #expect(try !BDHKE.verify(secret: Array(proof.secret.utf8), C: proof.C, k: .random()))
    }

    @Test func proofDescriptionHidesTheSecret() throws {
        let output = BlindingData.random(amount: 1, keysetID: try KeysetID(hex: "009a1f293253e41e"))
        let proof = try output.unblind(
            BlindSignature(amount: 1, id: output.message.id, C_: output.message.B_), mintKey: Scalar.random().publicKey)
        #expect(!"\(proof)".contains(proof.secret))
    }
}

struct AmountTests {
    @Test func checkedArithmetic() throws {
        #expect(try Amount(2).adding(3) == 5)
        #expect(throws: AmountError.overflow) { try Amount(UInt64.max).adding(1) }
        #expect(throws: AmountError.underflow) { try Amount(1).subtracting(2) }
        #expect(throws: AmountError.overflow) { try Amount.sum([Amount(UInt64.max / 2 + 1), Amount(UInt64.max / 2 + 1)]) }
        #expect(try Amount.sum([1, 2, 4]) == 7)
    }

    @Test(
        arguments: [(0, []), (1, [1]), (13, [1, 4, 8]), (64, [64]), (UInt64.max, (0..<64).map { UInt64(1) << $0 })]
            as [(UInt64, [UInt64])])
    func splitIntoPowersOfTwo(_ value: UInt64, _ parts: [UInt64]) throws {
        let split = Amount(value).split()
        #expect(split.map(\.value) == parts)
        #expect(try Amount.sum(split) == Amount(value))
    }
}
