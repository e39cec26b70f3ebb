import Secp256k1

/// V4 `cashuB` token CBOR: single-letter keys, hex values as byte strings,
/// proofs grouped by keyset id.
enum TokenV4 {
    static func decode(cbor bytes: [UInt8]) throws(TokenError) -> Token {
        let root: CBOR
        do { root = try CBOR.decode(bytes) } catch { throw .badCBOR(error.description) }
        guard case .map = root else { throw .badCBOR("top level is not a map") }
        guard let mint = try optionalText(root, "m") else { throw .missingField("m") }
        guard let unit = try optionalText(root, "u") else { throw .missingField("u") }
        let memo = try optionalText(root, "d")
        guard let groups = root["t"] else { throw .missingField("t") }
        guard case .array(let groupItems) = groups else { throw .invalidField("t", reason: "not an array") }
        var proofs: [Proof] = []
        for group in groupItems {
            guard case .map = group else { throw .invalidField("t", reason: "entry is not a map") }
            let idBytes = try requiredBytes(group, "i")
            let id: KeysetID
            do { id = try KeysetID(bytes: idBytes) } catch { throw .invalidField("i", reason: error.description) }
            guard let p = group["p"] else { throw .missingField("p") }
            guard case .array(let items) = p else { throw .invalidField("p", reason: "not an array") }
            for item in items { proofs.append(try proof(item, id: id)) }
        }
        return try Token.fromParts(mint: mint, unit: unit, memo: memo, proofs: proofs)
    }

    private static func proof(_ item: CBOR, id: KeysetID) throws(TokenError) -> Proof {
        guard case .map = item else { throw .invalidField("p", reason: "proof is not a map") }
        guard let a = item["a"] else { throw .missingField("a") }
        guard case .unsigned(let amount) = a else { throw .invalidField("a", reason: "not an unsigned integer") }
        guard let secret = try optionalText(item, "s") else { throw .missingField("s") }
        let C = try point(bytes: try requiredBytes(item, "c"), field: "c")
        let witness = try optionalText(item, "w")
        var dleq: ProofDLEQ?
        if let d = item["d"], d != .null {
            guard case .map = d else { throw .invalidField("d", reason: "not a map") }
            dleq = ProofDLEQ(
                e: try scalar(bytes: try requiredBytes(d, "e"), field: "e"),
                s: try scalar(bytes: try requiredBytes(d, "s"), field: "s"),
                r: try scalar(bytes: try requiredBytes(d, "r"), field: "r"))
        }
        return Proof(amount: Amount(amount), id: id, secret: secret, C: C, witness: witness, dleq: dleq)
    }

    /// Key order t, d, m, u and a, s, c, d, w, as the NUT-00 vectors write them.
    static func cbor(_ token: Token, shortKeysetIDs: Bool) -> CBOR {
        var groups: [(KeysetID, [Proof])] = []
        for p in token.proofs {
            if let i = groups.firstIndex(where: { $0.0 == p.id }) { groups[i].1.append(p) } else { groups.append((p.id, [p])) }
        }
        let t = groups.map { id, proofs in
            CBOR.map([
                .init("i", .bytes(shortKeysetIDs ? id.short.bytes : id.bytes)),
                .init("p", .array(proofs.map(proofCBOR))),
            ])
        }
        var top: [CBOR.Entry] = [.init("t", .array(t))]
        if let memo = token.memo { top.append(.init("d", .text(memo))) }
        top.append(.init("m", .text(token.mint)))
        top.append(.init("u", .text(token.unit.rawValue)))
        return .map(top)
    }

    private static func proofCBOR(_ p: Proof) -> CBOR {
        var entries: [CBOR.Entry] = [
            .init("a", .unsigned(p.amount.value)), .init("s", .text(p.secret)), .init("c", .bytes(p.C.compressed)),
        ]
        if let d = p.dleq {
            entries.append(
                .init("d", .map([.init("e", .bytes(d.e.bytes)), .init("s", .bytes(d.s.bytes)), .init("r", .bytes(d.r.bytes))])))
        }
        if let w = p.witness { entries.append(.init("w", .text(w))) }
        return .map(entries)
    }

    /// Optional fields may be absent or null; any other type is an error.
    private static func optionalText(_ map: CBOR, _ key: String) throws(TokenError) -> String? {
        switch map[key] {
        case nil, .null?: return nil
        case .text(let s)?: return s
        default: throw .invalidField(key, reason: "not a text string")
        }
    }

    private static func requiredBytes(_ map: CBOR, _ key: String) throws(TokenError) -> [UInt8] {
        guard let v = map[key] else { throw .missingField(key) }
        guard case .bytes(let b) = v else { throw .invalidField(key, reason: "not a byte string") }
        return b
    }
}
