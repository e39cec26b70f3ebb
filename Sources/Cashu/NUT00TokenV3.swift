import Foundation
import Secp256k1

/// V3 `cashuA` token JSON: `{"token":[{"mint","proofs"}],"unit","memo"}`.
enum TokenV3 {
    /// Every field optional, so that a missing one is reported by name
    /// rather than as a generic decoding failure.
    struct Wire: Decodable {
        let token: [Part]?
        let unit: String?
        let memo: String?

        struct Part: Decodable {
            let mint: String?
            let proofs: [ProofWire]?
        }

        struct ProofWire: Decodable {
            let amount: UInt64?
            let id: String?
            let secret: String?
            let C: String?
            let witness: WitnessText?
            let dleq: DLEQWire?
        }

        struct DLEQWire: Decodable {
            let e: String?
            let s: String?
            let r: String?
        }
    }

    /// A witness arrives as a JSON string, or from some wallets as the object itself.
    struct WitnessText: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s } else { text = try c.decode(P2PKWitness.self).json }
        }
    }

    static func decode(json: [UInt8]) throws(TokenError) -> Token {
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: Data(json)) } catch {
            throw .badJSON(Self.explain(error))
        }
        guard let parts = wire.token else { throw .missingField("token") }
        var mint: String?
        var proofs: [Proof] = []
        for part in parts {
            guard let partMint = part.mint else { throw .missingField("mint") }
            let normalized = Token.normalizeMintURL(partMint)
            if let mint, mint != normalized { throw .multipleMints }
            mint = normalized
            guard let wireProofs = part.proofs else { throw .missingField("proofs") }
            for w in wireProofs { proofs.append(try proof(w)) }
        }
        return try Token.fromParts(mint: mint, unit: wire.unit, memo: wire.memo, proofs: proofs)
    }

    private static func proof(_ w: Wire.ProofWire) throws(TokenError) -> Proof {
        guard let amount = w.amount else { throw .missingField("amount") }
        guard let idText = w.id else { throw .missingField("id") }
        guard let secret = w.secret else { throw .missingField("secret") }
        guard let cText = w.C else { throw .missingField("C") }
        let id: KeysetID
        do { id = try KeysetID(hex: idText) } catch { throw .invalidField("id", reason: error.description) }
        var dleq: ProofDLEQ?
        if let d = w.dleq {
            guard let e = d.e else { throw .missingField("e") }
            guard let s = d.s else { throw .missingField("s") }
            guard let r = d.r else { throw .missingField("r") }
            dleq = ProofDLEQ(
                e: try scalar(hex: e, field: "e"), s: try scalar(hex: s, field: "s"), r: try scalar(hex: r, field: "r"))
        }
        return Proof(
            amount: Amount(amount), id: id, secret: secret, C: try point(hex: cText, field: "C"),
            witness: w.witness?.text, dleq: dleq)
    }

    static func json(_ token: Token) -> String {
        let proofs = token.proofs.map { p in
            var members: [(String, String)] = [
                ("amount", String(p.amount.value)), ("id", JSONText.string(p.id.hex)),
                ("secret", JSONText.string(p.secret)), ("C", JSONText.string(p.C.hex)),
            ]
            if let w = p.witness { members.append(("witness", JSONText.string(w))) }
            if let d = p.dleq {
                members.append(
                    (
                        "dleq",
                        JSONText.object([
                            ("e", JSONText.string(d.e.hex)), ("s", JSONText.string(d.s.hex)), ("r", JSONText.string(d.r.hex)),
                        ])
                    ))
            }
            return JSONText.object(members)
        }
        var top: [(String, String)] = [
            (
                "token",
                JSONText.array([JSONText.object([("mint", JSONText.string(token.mint)), ("proofs", JSONText.array(proofs))])])
            ),
            ("unit", JSONText.string(token.unit.rawValue)),
        ]
        if let memo = token.memo { top.append(("memo", JSONText.string(memo))) }
        return JSONText.object(top)
    }

    /// A short reason without echoing the input (it may hold proofs).
    private static func explain(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "not JSON" }
        switch e {
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .keyNotFound(_, let ctx), .dataCorrupted(let ctx):
            let path = ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "not a JSON object" : "wrong type or value at \(path)"
        @unknown default: return "not JSON"
        }
    }
}

func point(hex: String, field: String) throws(TokenError) -> PublicKey {
    do { return try PublicKey(hex: hex) } catch { throw .invalidField(field, reason: error.description) }
}

func point(bytes: [UInt8], field: String) throws(TokenError) -> PublicKey {
    do { return try PublicKey(compressed: bytes) } catch { throw .invalidField(field, reason: error.description) }
}

func scalar(hex: String, field: String) throws(TokenError) -> Scalar {
    do { return try Scalar(hex: hex) } catch { throw .invalidField(field, reason: error.description) }
}

func scalar(bytes: [UInt8], field: String) throws(TokenError) -> Scalar {
    do { return try Scalar(bytes: bytes) } catch { throw .invalidField(field, reason: error.description) }
}
