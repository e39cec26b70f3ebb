import Foundation
import Secp256k1
import Testing

@testable import Cashu

struct KeysetTests {
    @Test(arguments: Vectors.nut01.invalid)
    func rejectsMalformedKeys(_ v: NUT01File.Invalid) {
        #expect { try Keyset.parseKeys(v.keys) } throws: {
            ($0 as? KeysetError).map { if case .invalidKey = $0 { true } else { false } } ?? false
        }
    }

    @Test(arguments: Vectors.nut01.valid)
    func acceptsValidKeys(_ keys: [String: String]) throws {
        let parsed = try Keyset.parseKeys(keys)
        #expect(parsed.count == keys.count)
        // The largest amount, 2^63, does not fit a signed 64-bit integer.
        if keys.count == 64 { #expect(parsed[Amount(1 << 63)] != nil) }
    }

    @Test func rejectsBadAmounts() {
        #expect(throws: KeysetError.invalidAmount("0")) {
            try Keyset.parseKeys(["0": "02194603ffa36356f4a56b7df9371fc3192472351453ec7398b8da8117e7c3e104"])
        }
        #expect(throws: KeysetError.invalidAmount("-1")) {
            try Keyset.parseKeys(["-1": "02194603ffa36356f4a56b7df9371fc3192472351453ec7398b8da8117e7c3e104"])
        }
        #expect(throws: KeysetError.noKeys) { try Keyset.parseKeys([:]) }
    }

    @Test(arguments: Vectors.nut02.v1)
    func deriveVersion00(_ v: NUT02File.V1) throws {
        #expect(try KeysetID.deriveV1(keys: Keyset.parseKeys(v.keys)).hex == v.id)
    }

    @Test(arguments: Vectors.nut02.v2)
    func deriveVersion01(_ v: NUT02File.V2) throws {
        let keys = try Keyset.parseKeys(v.keys)
        let id = KeysetID.deriveV2(
            keys: keys, unit: CurrencyUnit(v.unit), inputFeePpk: v.input_fee_ppk, finalExpiry: v.final_expiry)
        #expect(id.hex == v.id)
        let keyset = Keyset(
            id: try KeysetID(hex: v.id), unit: CurrencyUnit(v.unit), inputFeePpk: v.input_fee_ppk, finalExpiry: v.final_expiry,
            keys: keys)
        #expect(keyset.inputFeePpk == v.input_fee_ppk && keyset.finalExpiry == v.final_expiry && keyset.active)
        try keyset.verifyID()
    }

    @Test func verifyIDCatchesAnotherKeysetsID() throws {
        let v = Vectors.nut02.v2[0]
        // The fee is left out.
        var info = KeysetInfo(id: try KeysetID(hex: v.id), unit: .sat, inputFeePpk: 0, finalExpiry: v.final_expiry)
        let keys = try Keyset.parseKeys(v.keys)
        #expect { try Keyset(info: info, keys: keys).verifyID() } throws: {
            ($0 as? KeysetError).map { if case .idMismatch = $0 { true } else { false } } ?? false
        }
        info.id = try KeysetID(hex: Vectors.nut02.v1[1].id)
        #expect { try Keyset(info: info, keys: keys).verifyID() } throws: {
            ($0 as? KeysetError).map { if case .idMismatch = $0 { true } else { false } } ?? false
        }
    }

    @Test func decodesAMintResponse() throws {
        let json =
            #"{"id":"009a1f293253e41e","unit":"sat","active":false,"input_fee_ppk":null,"keys":{"1":"02194603ffa36356f4a56b7df9371fc3192472351453ec7398b8da8117e7c3e104","2":"03b0f36d6d47ce14df8a7be9137712c42bcdd960b19dd02f1d4a9703b1f31d7513"}}"#
        let keyset = try JSONDecoder().decode(Keyset.self, from: Data(json.utf8))
        #expect(keyset.info == KeysetInfo(id: try KeysetID(hex: "009a1f293253e41e"), unit: .sat, active: false))
        #expect(try keyset.key(for: 2).hex == "03b0f36d6d47ce14df8a7be9137712c42bcdd960b19dd02f1d4a9703b1f31d7513")
        #expect(throws: KeysetError.noKeyForAmount(4)) { try keyset.key(for: 4) }
        let again = try JSONDecoder().decode(Keyset.self, from: JSONEncoder().encode(keyset))
        #expect(again == keyset)
        let bad = json.replacingOccurrences(of: "\"2\":\"03", with: "\"2\":\"04")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Keyset.self, from: Data(bad.utf8)) }
    }

    @Test func idForms() throws {
        #expect(throws: KeysetError.unsupportedIDVersion("02")) { try KeysetID(hex: "02aabbccddeeff00") }
        #expect(throws: KeysetError.invalidID("00aa")) { try KeysetID(hex: "00aa") }
        #expect(throws: KeysetError.invalidID("zz")) { try KeysetID(hex: "zz") }
        #expect(throws: KeysetError.invalidID("00" + String(repeating: "ab", count: 32))) {
            try KeysetID(hex: "00" + String(repeating: "ab", count: 32))
        }
        let full = try KeysetID(hex: Vectors.nut02.v2[0].id)
        #expect(full.short.hex == "015ba18a8adcd02e")
        #expect(full.short.refers(to: full) && !full.isShort && full.short.isShort)
        #expect(try full.resolved(among: []) == full)
        let old = try KeysetID(hex: "009a1f293253e41e")
        #expect(old.short == old && !old.isShort)
    }
}

struct FeeTests {
    static let cheap = try! KeysetInfo(id: KeysetID(hex: "009a1f293253e41e"), unit: .sat, inputFeePpk: 100)
    static let free = try! KeysetInfo(id: KeysetID(hex: "00ad268c4d1f5826"), unit: .sat, inputFeePpk: 0)
    static let dear = KeysetInfo(
        id: KeysetID.deriveV2(keys: [1: Scalar.random().publicKey], unit: .sat), unit: .sat, inputFeePpk: 1000)

    static func proofs(_ n: Int, _ id: KeysetID) -> [Proof] {
        (0..<n).map { Proof(amount: 1, id: id, secret: "\($0)", C: Scalar.random().publicKey) }
    }

    @Test(arguments: [(0, 0), (1, 1), (3, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
    func roundsUpOnce(_ inputs: Int, _ fee: UInt64) throws {
        #expect(try Fees.inputFee(for: Self.proofs(inputs, Self.cheap.id), keysets: [Self.cheap]) == Amount(fee))
    }

    @Test func sumsAcrossKeysetsAndResolvesShortIDs() throws {
        let mixed = Self.proofs(5, Self.cheap.id) + Self.proofs(3, Self.free.id) + Self.proofs(2, Self.dear.id.short)
        // 500 + 0 + 2000 ppk = 2.5 → 3
        #expect(try Fees.inputFee(for: mixed, keysets: [Self.cheap, Self.free, Self.dear]) == 3)
    }

    @Test func rejectsUnknownKeysetAndOverflow() throws {
        #expect(throws: KeysetError.unknownKeyset(Self.free.id)) {
            try Fees.inputFee(for: Self.proofs(1, Self.free.id), keysets: [Self.cheap])
        }
        #expect(throws: KeysetError.feeOverflow) { try Fees.inputFee(ppks: [UInt64.max, 1]) }
        #expect(try Fees.inputFee(ppks: [UInt64.max]) == Amount(UInt64.max / 1000 + 1))
    }
}
