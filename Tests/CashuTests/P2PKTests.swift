import Crypto
import Secp256k1
import Testing

@testable import Cashu

struct WellKnownSecretTests {
    static let vector =
        #"["P2PK",{"nonce":"859d4935c4907062a6297cf4e663e2835d90d97ecdd510745d32f6816323a41f","data":"0249098aa8b9d2fbec49ff8598feb17b592b986e62319a4fa488a3dc36387157a7","tags":[["sigflag","SIG_INPUTS"]]}]"#

    @Test func parsesAndKeepsTheExactString() throws {
        let s = try WellKnownSecret(parsing: Self.vector)
        #expect(s.kind == "P2PK")
        #expect(s.nonce == "859d4935c4907062a6297cf4e663e2835d90d97ecdd510745d32f6816323a41f")
        #expect(s.tags == [["sigflag", "SIG_INPUTS"]])
        #expect(s.raw == Self.vector)
        // Written compactly in kind, nonce, data, tags order, a secret comes out byte for byte.
        #expect(WellKnownSecret(kind: s.kind, data: s.data, tags: s.tags, nonce: s.nonce).raw == Self.vector)
        #expect(
            try WellKnownSecret(parsing: #"[ "P2PK" , {"data":"d","nonce":"n"} ]"#).raw
                == #"[ "P2PK" , {"data":"d","nonce":"n"} ]"#)
    }

    @Test(arguments: [
        (#"["P2PK"]"#, "shape"),
        (#"[1,{"nonce":"n","data":"d"}]"#, "shape"),
        (#"["P2PK",{"data":"d"}]"#, "nonce"),
        (#"["P2PK",{"nonce":"n"}]"#, "data"),
        (#"["P2PK",{"nonce":"n","data":"d","tags":{}}]"#, "tags"),
        (#"["P2PK",{"nonce":"n","data":"d","tags":[[]]}]"#, "tag"),
        (#"["P2PK",{"nonce":"n","data":"d","tags":[["locktime",1765300829]]}]"#, "tag"),
        (#"["P2PK",{"nonce":"n","data":"d","tags":[["locktime",""]]}]"#, "tag"),
    ])
    func rejectsMalformed(_ text: String, _ what: String) {
        #expect { try WellKnownSecret(parsing: text) } throws: {
            if case .malformed = $0 as? SpendingConditionError { true } else { false }
        }
    }

    @Test func plainSecretsAreNotWellKnown() throws {
        #expect(throws: SpendingConditionError.notWellKnown) {
            try WellKnownSecret(parsing: "407915bc212be61a77e3e6d2aeb4c727980bda51cd06a6afc29e2861768a7837")
        }
        #expect(throws: SpendingConditionError.notWellKnown) { try WellKnownSecret(parsing: "[not json") }
        #expect(throws: SpendingConditionError.notWellKnown) { try WellKnownSecret(parsing: "1234") }
        // A mint parses this as JSON and enforces it, so it is a lock, not a plain secret.
        #expect(try WellKnownSecret(parsing: " \n" + Self.vector).kind == "P2PK")
    }
}

struct P2PKConditionTests {
    static let k1 = SecretKey.generate(), k2 = SecretKey.generate(), k3 = SecretKey.generate()

    static func secret(_ tags: [[String]], data: String = k1.publicKey.hex) -> WellKnownSecret {
        WellKnownSecret(kind: "P2PK", data: data, tags: tags)
    }

    @Test func readsAllTags() throws {
        let s = Self.secret([
            ["sigflag", "SIG_ALL"], ["pubkeys", Self.k2.publicKey.hex, Self.k3.publicKey.hex], ["n_sigs", "2"],
            ["locktime", "1689418329"], ["refund", Self.k3.publicKey.hex], ["n_sigs_refund", "1"],
        ])
        let c = try P2PKConditions(secret: s)
        #expect(c.sigFlag == .sigAll && c.nSigs == 2 && c.locktime == 1_689_418_329 && c.nSigsRefund == 1)
        #expect(c.lockingKeys == [Self.k1.publicKey, Self.k2.publicKey, Self.k3.publicKey])
        #expect(c.refundKeys == [Self.k3.publicKey])
        #expect(try P2PKConditions(secret: c.secret()) == c)
    }

    @Test func defaultsAndPermanentLocks() throws {
        let c = try P2PKConditions(secret: Self.secret([["locktime", "soon"]]))
        #expect(c.sigFlag == .sigInputs && c.nSigs == 1 && c.locktime == nil && !c.isExpired(now: .max))
    }

    @Test(arguments: [
        ([["sigflag", "SIG_SOME"]], SpendingConditionError.invalidSigFlag("SIG_SOME")),
        ([["n_sigs", "1"], ["n_sigs", "1"]], .duplicateTag("n_sigs")),
        ([["n_sigs", "0"]], .invalidCount(tag: "n_sigs", value: "0")),
        ([["n_sigs", "two"]], .invalidCount(tag: "n_sigs", value: "two")),
        ([["n_sigs", "2"]], .invalidCount(tag: "n_sigs", value: "2")),  // more than the one key
        ([["n_sigs_refund", "1"]], .invalidCount(tag: "n_sigs_refund", value: "1")),  // no refund keys
        ([["pubkeys", "02abc"]], .invalidPublicKey("02abc")),
        // The same key in 02 and 03 form is a duplicate in one pathway.
        ([["pubkeys", "03" + String(P2PKConditionTests.k1.publicKey.hex.dropFirst(2))]], .duplicateKey),
    ])
    func rejectsMalformed(_ tags: [[String]], _ error: SpendingConditionError) {
        #expect(throws: error) { try P2PKConditions(secret: Self.secret(tags)) }
    }

    @Test func sameKeyMayBeInBothPathways() throws {
        _ = try P2PKConditions(secret: Self.secret([["refund", Self.k1.publicKey.hex]]))
    }

    @Test func otherKindsAreNotP2PK() {
        #expect(throws: SpendingConditionError.wrongKind("HTLC")) {
            try P2PKConditions(secret: WellKnownSecret(kind: "HTLC", data: "00"))
        }
    }
}

struct P2PKVectorTests {
    static let file = Vectors.nut11

    @Test(arguments: file.sig_inputs)
    func sigInputs(_ v: NUT11File.Single) {
        if v.valid {
            #expect(throws: Never.self) { try P2PK.verify(v.proof, now: Self.file.now) }
        } else {
            #expect { try P2PK.verify(v.proof, now: Self.file.now) } throws: {
                if case .notEnoughSignatures = $0 as? SpendingConditionError { true } else { false }
            }
        }
    }

    @Test(arguments: file.sig_all_message)
    func sigAllMessage(_ v: NUT11File.Message) {
        let m = P2PK.sigAllMessage(inputs: v.request.inputs, outputs: v.request.outputs, quoteID: v.request.quote)
        #expect(m == v.message)
        #expect(Hex.encode(SHA256.hash(data: Array(m.utf8))) == v.sha256)
    }

    @Test(arguments: file.sig_all)
    func sigAll(_ v: NUT11File.All) {
        let r = v.request
        if v.valid {
            #expect(throws: Never.self) {
                try P2PK.verifyTransaction(inputs: r.inputs, outputs: r.outputs, quoteID: r.quote, now: Self.file.now)
            }
        } else {
            #expect(throws: SpendingConditionError.sigAllMismatch) {
                try P2PK.verifyTransaction(inputs: r.inputs, outputs: r.outputs, quoteID: r.quote, now: Self.file.now)
            }
        }
    }

    @Test func sigAllSignatureCoversOutputsAndQuote() throws {
        let v = try #require(Self.file.sig_all.first { $0.name == "valid melt" })
        let r = v.request
        var outputs = r.outputs
        outputs[0].amount = 1
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) {
            try P2PK.verifyTransaction(inputs: r.inputs, outputs: outputs, quoteID: r.quote, now: Self.file.now)
        }
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) {
            try P2PK.verifyTransaction(inputs: r.inputs, outputs: r.outputs, quoteID: "other", now: Self.file.now)
        }
        #expect(throws: SpendingConditionError.sigAllNeedsTransaction) { try P2PK.verify(r.inputs[0], now: Self.file.now) }
    }
}

struct P2PKSigningTests {
    static let worker = SecretKey.generate(), client = SecretKey.generate(), other = SecretKey.generate()
    static let id = try! KeysetID(hex: "009a1f293253e41e")
    static let now: UInt64 = 1_750_000_000

    static func proof(_ c: P2PKConditions) -> Proof {
        Proof(amount: 1, id: id, secret: c.secret().raw, C: Scalar.random().publicKey)
    }

    @Test func signAndVerifySigInputs() throws {
        let p = Self.proof(P2PKConditions(data: Self.worker.publicKey))
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) { try P2PK.verify(p, now: Self.now) }
        try P2PK.verify(P2PK.signed(p, with: Self.worker), now: Self.now)
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) {
            try P2PK.verify(P2PK.signed(p, with: Self.other), now: Self.now)
        }
        var garbled = p
        garbled.witness = "not json"
        #expect(throws: SpendingConditionError.invalidWitness) { try P2PK.verify(garbled, now: Self.now) }
        #expect(throws: SpendingConditionError.notWellKnown) {
            try P2PK.verify(Proof(amount: 1, id: Self.id, secret: "plain", C: p.C), now: Self.now)
        }
    }

    /// A 03-prefixed key signs with its x coordinate, as BIP-340 keys do.
    @Test func oddKeysSignToo() throws {
        var key = SecretKey.generate()
        while key.publicKey.compressed[0] != 0x03 { key = SecretKey.generate() }
        let p = Self.proof(P2PKConditions(data: key.publicKey))
        try P2PK.verify(P2PK.signed(p, with: key), now: Self.now)
    }

    @Test func multisigCountsDistinctKeys() throws {
        let p = Self.proof(P2PKConditions(data: Self.worker.publicKey, pubkeys: [Self.client.publicKey], nSigs: 2))
        let once = try P2PK.signed(p, with: Self.worker)
        // Signing twice with one key gives two different signatures but one signer.
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 2, valid: 1)) {
            try P2PK.verify(P2PK.signed(once, with: Self.worker), now: Self.now)
        }
        try P2PK.verify(P2PK.signed(once, with: Self.client), now: Self.now)
    }

    @Test func locktimeAndRefund() throws {
        let locked = P2PKConditions(data: Self.worker.publicKey, locktime: Self.now, refundKeys: [Self.client.publicKey])
        let refunded = try P2PK.signed(Self.proof(locked), with: Self.client)
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) {
            try P2PK.verify(refunded, now: Self.now)
        }
        try P2PK.verify(refunded, now: Self.now + 1)
        // The main pathway keeps working after the locktime.
        try P2PK.verify(P2PK.signed(Self.proof(locked), with: Self.worker), now: Self.now + 1)
        // Without refund keys, an expired lock is open to anyone.
        try P2PK.verify(Self.proof(P2PKConditions(data: Self.worker.publicKey, locktime: Self.now)), now: Self.now + 1)
    }

    @Test func sigAllSigning() throws {
        let c = P2PKConditions(data: Self.worker.publicKey, sigFlag: .sigAll)
        let secret = c.secret()
        let other = WellKnownSecret(kind: "P2PK", data: secret.data, tags: secret.tags)
        let inputs = [secret, other].map { Proof(amount: 1, id: Self.id, secret: $0.raw, C: Scalar.random().publicKey) }
        let outputs = [BlindingData.random(amount: 2, keysetID: Self.id).message]
        let signed = try P2PK.signedSigAll(inputs: inputs, outputs: outputs, with: Self.worker)
        #expect(signed[1].witness == nil)
        try P2PK.verifyTransaction(inputs: signed, outputs: outputs, now: Self.now)
        #expect(throws: SpendingConditionError.noInputs) {
            try P2PK.verifyTransaction(inputs: [], outputs: outputs, now: Self.now)
        }
        #expect(throws: SpendingConditionError.noInputs) {
            try P2PK.signedSigAll(inputs: [], outputs: outputs, with: Self.worker)
        }
        // Mixing a SIG_ALL input with a plain one is refused.
        let plain = Proof(amount: 1, id: Self.id, secret: "plain", C: Scalar.random().publicKey)
        #expect(throws: SpendingConditionError.sigAllMismatch) {
            try P2PK.verifyTransaction(inputs: signed + [plain], outputs: outputs, now: Self.now)
        }
    }

    @Test func sigInputsTransactionChecksEveryLockedInput() throws {
        let a = try P2PK.signed(Self.proof(P2PKConditions(data: Self.worker.publicKey)), with: Self.worker)
        let b = Self.proof(P2PKConditions(data: Self.worker.publicKey))
        let plain = Proof(amount: 1, id: Self.id, secret: "plain", C: Scalar.random().publicKey)
        try P2PK.verifyTransaction(inputs: [a, plain], outputs: [], now: Self.now)
        #expect(throws: SpendingConditionError.notEnoughSignatures(required: 1, valid: 0)) {
            try P2PK.verifyTransaction(inputs: [a, b], outputs: [], now: Self.now)
        }
    }

    @Test func canUnlock() throws {
        let w = Self.worker.publicKey, c = Self.client.publicKey, now = Self.now
        let plain = Proof(amount: 1, id: Self.id, secret: "plain", C: w)
        #expect(P2PK.canUnlock(plain, with: w, now: now))
        #expect(P2PK.canUnlock(Self.proof(P2PKConditions(data: w)), with: w, now: now))
        #expect(!P2PK.canUnlock(Self.proof(P2PKConditions(data: c)), with: w, now: now))
        // The worker's Nostr key as an x-only key: the 02 form must match whatever parity the lock used.
        #expect(P2PK.canUnlock(Self.proof(P2PKConditions(data: c, pubkeys: [w])), with: w.xOnly.evenPublicKey, now: now))
        #expect(!P2PK.canUnlock(Self.proof(P2PKConditions(data: w, pubkeys: [c], nSigs: 2)), with: w, now: now))
        let refund = P2PKConditions(data: c, locktime: now, refundKeys: [w])
        #expect(!P2PK.canUnlock(Self.proof(refund), with: w, now: now))
        #expect(P2PK.canUnlock(Self.proof(refund), with: w, now: now + 1))
        #expect(P2PK.canUnlock(Self.proof(P2PKConditions(data: c, locktime: now)), with: w, now: now + 1))
        let malformed = Proof(amount: 1, id: Self.id, secret: #"["P2PK",{"nonce":"n","data":"zz"}]"#, C: w)
        #expect(!P2PK.canUnlock(malformed, with: w, now: now))
        #expect(!P2PK.canUnlock(Proof(amount: 1, id: Self.id, secret: #"["P2PK"]"#, C: w), with: w, now: now))
        let htlc = Proof(amount: 1, id: Self.id, secret: WellKnownSecret(kind: "HTLC", data: "00").raw, C: w)
        #expect(!P2PK.canUnlock(htlc, with: w, now: now))
    }

    @Test func signingKeepsAnHTLCPreimage() throws {
        var p = Self.proof(P2PKConditions(data: Self.worker.publicKey))
        p.witness = P2PKWitness(signatures: [], preimage: "00").json
        let signed = try P2PK.signed(p, with: Self.worker)
        #expect(try P2PKWitness(json: signed.witness ?? "").preimage == "00")
    }
}
