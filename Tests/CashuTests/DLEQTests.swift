import Secp256k1
import Testing

@testable import Cashu

struct DLEQTests {
    static let G = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

    @Test func hashEVector() throws {
        let one = try PublicKey(hex: "020000000000000000000000000000000000000000000000000000000000000001")
        let C_ = try PublicKey(hex: "02a9acc1e48c25eeeb9289b5031cc57da9fe72f3fe2861d264bdc074209b107ba2")
        #expect(
            Hex.encode(DLEQ.hashE([one, one, one, C_])) == "a4dc034b74338c28c6bc3ea49731f2a24440fc7c4affc08b31a93fc9fbe6401e")
    }

    @Test func deterministicNonceVector() throws {
        let a = try Scalar(hex: "0000000000000000000000000000000000000000000000000000000000000002")
        let B_ = try PublicKey(hex: "02a9acc1e48c25eeeb9289b5031cc57da9fe72f3fe2861d264bdc074209b107ba2")
        #expect(a.publicKey.hex == "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5")
        let C_ = BDHKE.sign(B_, k: a)
        #expect(C_.hex == "0244eccfc7a348274458bb38044c7f3c389b3c2086c7ec18b5812d2877ab937787")
        let proof = try DLEQ.prove(a: a, B_: B_)
        #expect(proof.e.hex == "2a16ffee280aff3c429045607f9b8e0bf8b35910c44c1b20b9dfaf01b263d7b3")
        #expect(proof.s.hex == "9df27731238334718d120d4f74611a7c668233f988e687ac3fb188f0a34a2dab")
        #expect(DLEQ.verify(e: proof.e, s: proof.s, A: a.publicKey, B_: B_, C_: C_))
    }

    @Test func blindSignatureVector() throws {
        let sig = BlindSignature(
            amount: 8, id: try KeysetID(hex: "00882760bfa2eb41"),
            C_: try PublicKey(hex: "02a9acc1e48c25eeeb9289b5031cc57da9fe72f3fe2861d264bdc074209b107ba2"),
            dleq: BlindSignatureDLEQ(
                e: try Scalar(hex: "9818e061ee51d5c8edc3342369a554998ff7b4381c8652d724cdf46429be73d9"),
                s: try Scalar(hex: "9818e061ee51d5c8edc3342369a554998ff7b4381c8652d724cdf46429be73da")))
        let A = try PublicKey(hex: Self.G)
        let B_ = try PublicKey(hex: "02a9acc1e48c25eeeb9289b5031cc57da9fe72f3fe2861d264bdc074209b107ba2")
        try sig.verifyDLEQ(A: A, B_: B_)
        #expect(throws: DLEQError.invalid) { try sig.verifyDLEQ(A: A, B_: A) }
        #expect(throws: DLEQError.invalid) { try sig.verifyDLEQ(A: B_, B_: B_) }
        var bare = sig
        bare.dleq = nil
        #expect(throws: DLEQError.missing) { try bare.verifyDLEQ(A: A, B_: B_) }
    }

    static func vectorProof() throws -> Proof {
        Proof(
            amount: 1, id: try KeysetID(hex: "00882760bfa2eb41"),
            secret: "daf4dd00a2b68a0858a80450f52c8a7d2ccf87d375e43e216e0c571f089f63e9",
            C: try PublicKey(hex: "024369d2d22a80ecf78f3937da9d5f30c1b9f74f0c32684d583cca0fa6a61cdcfc"),
            dleq: ProofDLEQ(
                e: try Scalar(hex: "b31e58ac6527f34975ffab13e70a48b6d2b0d35abc4b03f0151f09ee1a9763d4"),
                s: try Scalar(hex: "8fbae004c59e754d71df67e392b6ae4e29293113ddc2ec86592a0431d16306d8"),
                r: try Scalar(hex: "a6d13fcd7a18442e6076f5e1e7c887ad5de40a019824bdfa9fe740d302e8d861")))
    }

    @Test func proofVector() throws {
        let proof = try Self.vectorProof()
        try proof.verifyDLEQ(A: PublicKey(hex: Self.G))
        #expect(throws: DLEQError.invalid) { try proof.verifyDLEQ(A: Scalar.random().publicKey) }
        var tampered = proof
        tampered.secret = "00" + proof.secret.dropFirst(2)
        #expect(throws: DLEQError.invalid) { try tampered.verifyDLEQ(A: PublicKey(hex: Self.G)) }
        tampered = proof
        tampered.dleq?.r = .random()
        #expect(throws: DLEQError.invalid) { try tampered.verifyDLEQ(A: PublicKey(hex: Self.G)) }
        tampered.dleq = nil
        #expect(throws: DLEQError.missing) { try tampered.verifyDLEQ(A: PublicKey(hex: Self.G)) }
    }

    /// Mint signs with a proof, wallet checks it, unblinds, and a receiver
    /// checks the proof carried in a token.
    @Test func endToEnd() throws {
        let a = Scalar.random()
        let id = try KeysetID(hex: "00882760bfa2eb41")
        let output = BlindingData.random(amount: 2, keysetID: id)
        let sig = BlindSignature(
            amount: 2, id: id, C_: BDHKE.sign(output.message.B_, k: a), dleq: try DLEQ.prove(a: a, B_: output.message.B_))
        try sig.verifyDLEQ(A: a.publicKey, B_: output.message.B_)
        let proof = try output.unblind(sig, mintKey: a.publicKey)
        let received = try Token.decode(Token(mint: "https://m", unit: .sat, proofs: [proof]).serializedV4()).proofs[0]
        try received.verifyDLEQ(A: a.publicKey)
    }
}
