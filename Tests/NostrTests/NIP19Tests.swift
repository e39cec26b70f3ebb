import Secp256k1
import Testing

@testable import Nostr

/// Examples from the NIP-19 and NIP-21 texts, round trips, and one test per refusal.
struct NIP19Tests {
    let pub = try! XOnlyPublicKey(hex: "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d")

    // MARK: examples from the NIPs

    @Test func npubExamples() throws {
        let key = try XOnlyPublicKey(hex: "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e")
        let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
        #expect(try NIP19Entity.decode(npub) == .npub(key))
        #expect(key.npub == npub)
        #expect(pub.npub == "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6")
    }

    @Test func nsecExample() throws {
        let key = try SecretKey(hex: "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa")
        let nsec = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
        #expect(try NIP19Entity.decode(nsec) == .nsec(key))
        #expect(key.nsec == nsec)
    }

    @Test func nprofileExample() throws {
        let s =
            "nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gpp4mhxue69uhhytnc9e3k7mgpz4mhxue69uhkg6nzv9ejuumpv34kytnrdaksjlyr9p"
        let entity = NIP19Entity.nprofile(pubkey: pub, relays: ["wss://r.x.com", "wss://djbas.sadkb.com"])
        #expect(try NIP19Entity.decode(s) == entity)
        #expect(entity.encoded == s)
        #expect(try NIP19Entity.decode("nostr:" + s) == entity)
    }

    @Test func neventAndNaddrFromNIP21() throws {
        let nevent =
            "nostr:nevent1qqstna2yrezu5wghjvswqqculvvwxsrcvu7uc0f78gan4xqhvz49d9spr3mhxue69uhkummnw3ez6un9d3shjtn4de6x2argwghx6egpr4mhxue69uhkummnw3ez6ur4vgh8wetvd3hhyer9wghxuet5nxnepm"
        let id = try Hex.decode("b9f5441e45ca39179320e0031cfb18e34078673dcc3d3e3a3b3a981760aa5696")
        let e = NIP19Entity.nevent(
            id: id, relays: ["wss://nostr-relay.untethr.me", "wss://nostr-pub.wellorder.net"], author: nil, kind: nil)
        #expect(try NIP19Entity.decode(nevent) == e)
        #expect(e.uri == nevent)

        let naddr =
            "nostr:naddr1qqyrzwrxvc6ngvfkqyghwumn8ghj7enfv96x5ctx9e3k7mgzyqalp33lewf5vdq847t6te0wvnags0gs0mu72kz8938tn24wlfze6qcyqqq823cph95ag"
        let a = NIP19Entity.naddr(identifier: "18ff5416", pubkey: pub, kind: 30023, relays: ["wss://fiatjaf.com"])
        #expect(try NIP19Entity.decode(naddr) == a)
        #expect(a.uri == naddr)
    }

    // MARK: round trips

    @Test(arguments: [
        NIP19Entity.npub(SecretKey.generate().xOnlyPublicKey),
        .nsec(SecretKey.generate()),
        .note(id: SecureRandom.bytes(32)),
        .nprofile(pubkey: SecretKey.generate().xOnlyPublicKey, relays: []),
        .nprofile(pubkey: SecretKey.generate().xOnlyPublicKey, relays: ["wss://a.example", "wss://b.example/ü"]),
        .nevent(id: SecureRandom.bytes(32), relays: [], author: nil, kind: nil),
        .nevent(id: SecureRandom.bytes(32), relays: ["wss://r"], author: SecretKey.generate().xOnlyPublicKey, kind: 5100),
        .nevent(id: SecureRandom.bytes(32), relays: [], author: nil, kind: 4_294_967_295),
        .naddr(identifier: "", pubkey: SecretKey.generate().xOnlyPublicKey, kind: 10000, relays: []),
        .naddr(
            identifier: "loom-workers ✓", pubkey: SecretKey.generate().xOnlyPublicKey, kind: 30000,
            relays: ["wss://relay.one", "wss://relay.two"]),
    ])
    func roundTrip(_ entity: NIP19Entity) throws {
        let s = entity.encoded
        #expect(s.hasPrefix(entity.prefix + "1"))
        #expect(try NIP19Entity.decode(s) == entity)
        #expect(try NIP19Entity.decode(s.uppercased()) == entity, "all upper case is valid bech32")
    }

    @Test func unknownTLVTypesAreIgnored() throws {
        var w = TLV.Writer()
        try w.add(TLV.special, pub.bytes, field: "")
        try w.add(9, [1, 2, 3], field: "")
        try w.add(TLV.relay, Array("wss://x".utf8), field: "")
        try w.add(200, [], field: "")
        #expect(
            try NIP19Entity.decode(Bech32.encode(hrp: "nprofile", data: w.bytes)) == .nprofile(pubkey: pub, relays: ["wss://x"]))
    }

    @Test func longTLVStringsPassBIP173Limit() throws {
        let relays = (0..<20).map { "wss://relay-\($0).example.com/some/long/path" }
        let e = NIP19Entity.nprofile(pubkey: pub, relays: relays)
        #expect(e.encoded.count > 90)
        #expect(try NIP19Entity.decode(e.encoded) == e)
    }

    // MARK: key parsing for CLIs and whitelists

    @Test func publicKeyFromAnyForm() throws {
        #expect(try NIP19.publicKey(from: pub.hex) == pub)
        #expect(try NIP19.publicKey(from: pub.hex.uppercased()) == pub)
        #expect(try NIP19.publicKey(from: "  \(pub.npub)\n") == pub)
        #expect(try NIP19.publicKey(from: "nostr:" + pub.npub) == pub)
        #expect(try NIP19.publicKey(from: NIP19Entity.nprofile(pubkey: pub, relays: ["wss://r"]).encoded) == pub)
        let key = SecretKey.generate()
        #expect(try NIP19.secretKey(from: key.nsec) == key)
        #expect(try NIP19.secretKey(from: key.hex) == key)
    }

    @Test func publicKeyParserRefusals() {
        #expect(throws: NIP19Error.notAPublicKey(prefix: "nsec")) { try NIP19.publicKey(from: SecretKey.generate().nsec) }
        #expect(throws: NIP19Error.notAPublicKey(prefix: "note")) {
            try NIP19.publicKey(from: NIP19Entity.note(id: [UInt8](repeating: 7, count: 32)).encoded)
        }
        #expect(throws: NIP19Error.unrecognizedKey(expected: "npub1…, nprofile1… or 64 hex characters")) {
            try NIP19.publicKey(from: "alice")
        }
        #expect(throws: NIP19Error.invalidPublicKey(prefix: "hex")) {
            try NIP19.publicKey(from: String(repeating: "0", count: 64))
        }
        #expect(throws: NIP19Error.notASecretKey(prefix: "npub")) { try NIP19.secretKey(from: pub.npub) }
        #expect(throws: NIP19Error.invalidSecretKey) { try NIP19.secretKey(from: String(repeating: "f", count: 64)) }
    }
}
