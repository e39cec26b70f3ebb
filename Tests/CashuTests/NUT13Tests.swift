import Secp256k1
import Testing

@testable import Cashu

struct MnemonicTests {
    static let phrase = "half depart obvious quality work element tank gorilla view sugar picture humble"

    @Test func wordlistIsTheStandardOne() {
        #expect(BIP39English.words.count == 2048)
        #expect(BIP39English.words == BIP39English.words.sorted())
        #expect(Set(BIP39English.words).count == 2048)
        #expect(BIP39English.words.first == "abandon" && BIP39English.words.last == "zoo")
    }

    /// BIP-39's reference vectors (passphrase "TREZOR").
    @Test(arguments: [
        (
            "00000000000000000000000000000000",
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
        ),
        (
            "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
            "legal winner thank year wave sausage worth useful legal winner thank yellow",
            "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"
        ),
        (
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
            "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"
        ),
    ])
    func bip39Vectors(_ entropy: String, _ phrase: String, _ seed: String) throws {
        let m = try Mnemonic(entropy: [UInt8](hex: entropy))
        #expect(m.phrase == phrase)
        #expect(try Mnemonic(phrase: phrase) == m)
        #expect(Hex.encode(m.seed(passphrase: "TREZOR")) == seed)
    }

    @Test func rejections() throws {
        #expect(throws: MnemonicError.invalidWordCount(11)) {
            try Mnemonic(phrase: "abandon " + String(repeating: "abandon ", count: 10))
        }
        #expect(throws: MnemonicError.unknownWord(position: 12)) {
            try Mnemonic(phrase: String(repeating: "abandon ", count: 11) + "bitcoins")
        }
        #expect(throws: MnemonicError.badChecksum) { try Mnemonic(phrase: String(repeating: "abandon ", count: 12)) }
        #expect(throws: MnemonicError.invalidEntropyLength(15)) { try Mnemonic(entropy: [UInt8](repeating: 0, count: 15)) }
        #expect(throws: MnemonicError.invalidWordCount(13)) { try Mnemonic.generate(wordCount: 13) }
    }

    @Test func generatedMnemonicsParseBack() throws {
        let m = try Mnemonic.generate(wordCount: 24)
        #expect(m.words.count == 24)
        #expect(try Mnemonic(phrase: "  " + m.phrase.uppercased() + "\n") == m)
        #expect(!"\(m)".contains(m.words[0]))
    }
}

struct DeterministicSecretTests {
    static let seed = try! Mnemonic(phrase: MnemonicTests.phrase).seed()

    @Test func keysetIDInteger() throws {
        #expect(DeterministicSecrets.keysetIDInt(try KeysetID(hex: "009a1f293253e41e")) == 864_559_728)
    }

    @Test(
        arguments: zip(
            0..<5,
            [
                (
                    "485875df74771877439ac06339e284c3acfcd9be7abf3bc20b516faeadfe77ae",
                    "ad00d431add9c673e843d4c2bf9a778a5f402b985b8da2d5550bf39cda41d679"
                ),
                (
                    "8f2b39e8e594a4056eb1e6dbb4b0c38ef13b1b2c751f64f810ec04ee35b77270",
                    "967d5232515e10b81ff226ecf5a9e2e2aff92d66ebc3edf0987eb56357fd6248"
                ),
                (
                    "bc628c79accd2364fd31511216a0fab62afd4a18ff77a20deded7b858c9860c8",
                    "b20f47bb6ae083659f3aa986bfa0435c55c6d93f687d51a01f26862d9b9a4899"
                ),
                (
                    "59284fd1650ea9fa17db2b3acf59ecd0f2d52ec3261dd4152785813ff27a33bf",
                    "fb5fca398eb0b1deb955a2988b5ac77d32956155f1c002a373535211a2dfdc29"
                ),
                (
                    "576c23393a8b31cc8da6688d9c9a96394ec74b40fdaf1f693a6bb84284334ea0",
                    "5f09bfbfe27c439a597719321e061e2e40aad4a36768bb2bcc3de547c9644bf9"
                ),
            ]))
    func version00(_ counter: Int, _ expected: (String, String)) throws {
        let d = try DeterministicSecrets.derive(
            seed: Self.seed, keysetID: KeysetID(hex: "009a1f293253e41e"), counter: UInt32(counter))
        #expect(d.secret == expected.0)
        #expect(d.r.hex == expected.1)
    }

    @Test(
        arguments: zip(
            0..<5,
            [
                (
                    "db5561a07a6e6490f8dadeef5be4e92f7cebaecf2f245356b5b2a4ec40687298",
                    "6d26181a3695e32e9f88b80f039ba1ae2ab5a200ad4ce9dbc72c6d3769f2b035"
                ),
                (
                    "b70e7b10683da3bf1cdf0411206f8180c463faa16014663f39f2529b2fda922e",
                    "bde4354cee75545bea1a2eee035a34f2d524cee2bb01613823636e998386952e"
                ),
                (
                    "78a7ac32ccecc6b83311c6081b89d84bb4128f5a0d0c5e1af081f301c7a513f5",
                    "f40cc1218f085b395c8e1e5aaa25dccc851be3c6c7526a0f4e57108f12d6dac4"
                ),
                (
                    "094a2b6c63bfa7970bc09cda0e1cfc9cd3d7c619b8e98fabcfc60aea9e4963e5",
                    "099ed70fc2f7ac769bc20b2a75cb662e80779827b7cc358981318643030577d0"
                ),
                (
                    "5e89fc5d30d0bf307ddf0a3ac34aa7a8ee3702169dafa3d3fe1d0cae70ecd5ef",
                    "5550337312d223ba62e3f75cfe2ab70477b046d98e3e71804eade3956c7b98cf"
                ),
            ]))
    func version01(_ counter: Int, _ expected: (String, String)) throws {
        let id = try KeysetID(hex: "015ba18a8adcd02e715a58358eb618da4a4b3791151a4bee5e968bb88406ccf76a")
        let d = try DeterministicSecrets.derive(seed: Self.seed, keysetID: id, counter: UInt32(counter))
        #expect(d.secret == expected.0)
        #expect(d.r.hex == expected.1)
    }

    @Test func rejections() throws {
        let full = try KeysetID(hex: "015ba18a8adcd02e715a58358eb618da4a4b3791151a4bee5e968bb88406ccf76a")
        #expect(throws: DerivationError.shortKeysetID) {
            try DeterministicSecrets.derive(seed: Self.seed, keysetID: full.short, counter: 0)
        }
        #expect(throws: DerivationError.counterTooLarge(1 << 31)) {
            try DeterministicSecrets.derive(seed: Self.seed, keysetID: KeysetID(hex: "009a1f293253e41e"), counter: 1 << 31)
        }
    }

    @Test func blindingDataIsDeterministic() throws {
        let id = try KeysetID(hex: "009a1f293253e41e")
        let a = try DeterministicSecrets.blindingData(seed: Self.seed, keysetID: id, counter: 7, amount: 4)
        let b = try DeterministicSecrets.blindingData(seed: Self.seed, keysetID: id, counter: 7, amount: 4)
        #expect(a == b)
        #expect(a.message.B_ == (try BDHKE.blind(secret: Array(a.secret.utf8), r: a.r)))
    }
}
