import Foundation
import Secp256k1
import Testing

@testable import Cashu

/// Loads the official NUT vectors copied into Vectors/ (see docs/CASHU.md).
enum Vectors {
    struct Missing: Error { let name: String }

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let url = Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "json") else {
            throw Missing(name: name)
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// For `@Test(arguments:)`, which cannot throw: a missing or broken
    /// vector file is a programming error in the test target.
    static func must<T: Decodable>(_ type: T.Type, _ name: String) -> T {
        do { return try load(type, name) } catch { fatalError("vector file \(name): \(error)") }
    }

    static let nut00 = must(NUT00File.self, "nut00")
    static let nut01 = must(NUT01File.self, "nut01")
    static let nut02 = must(NUT02File.self, "nut02")
    static let nut11 = must(NUT11File.self, "nut11")
}

struct NUT00File: Decodable, Sendable {
    struct HashToCurve: Decodable, Sendable { let message: String; let point: String }
    struct Blind: Decodable, Sendable { let x: String; let r: String; let B_: String }
    struct Sign: Decodable, Sendable { let k: String; let B_: String; let C_: String }
    struct V3JSON: Decodable, Sendable {
        struct Part: Decodable, Sendable { let mint: String; let proofs: [Proof] }
        let token: [Part]
        let unit: String
        let memo: String?
    }
    struct Invalid: Decodable, Sendable { let reason: String; let token: String }
    struct V3: Decodable, Sendable { let json: V3JSON; let serialized: String; let invalid: [Invalid]; let valid: [String] }
    /// A V4 token written as JSON, hex standing in for byte strings.
    struct V4JSON: Decodable, Sendable {
        struct Group: Decodable, Sendable { let i: String; let p: [P] }
        struct P: Decodable, Sendable { let a: UInt64; let s: String; let c: String }
        let t: [Group]
        let d: String?
        let m: String
        let u: String

        func token() throws -> Token {
            let proofs = try t.flatMap { g in
                try g.p.map { try Proof(amount: Amount($0.a), id: KeysetID(hex: g.i), secret: $0.s, C: PublicKey(hex: $0.c)) }
            }
            return Token(mint: m, unit: CurrencyUnit(u), memo: d, proofs: proofs)
        }
    }
    struct V4: Decodable, Sendable { let name: String; let token: V4JSON; let serialized: String }
    struct Raw: Decodable, Sendable { let token: V4JSON; let raw: String }

    let hash_to_curve: [HashToCurve]
    let blinded_messages: [Blind]
    let blind_signatures: [Sign]
    let token_v3: V3
    let token_v4: [V4]
    let token_v4_raw: Raw
}

struct NUT01File: Decodable, Sendable {
    struct Invalid: Decodable, Sendable { let reason: String; let keys: [String: String] }
    let invalid: [Invalid]
    let valid: [[String: String]]
}

struct NUT02File: Decodable, Sendable {
    struct V1: Decodable, Sendable { let id: String; let keys: [String: String] }
    struct V2: Decodable, Sendable {
        let id: String
        let unit: String
        let input_fee_ppk: UInt64
        let final_expiry: UInt64?
        let keys: [String: String]
    }
    let v1: [V1]
    let v2: [V2]
}

struct NUT11File: Decodable, Sendable {
    struct Request: Decodable, Sendable {
        let inputs: [Proof]
        let outputs: [BlindedMessage]
        let quote: String?
    }
    struct Single: Decodable, Sendable, CustomTestStringConvertible {
        let name: String; let proof: Proof; let valid: Bool
        var testDescription: String { name }
    }
    struct Message: Decodable, Sendable { let name: String; let request: Request; let message: String; let sha256: String }
    struct All: Decodable, Sendable, CustomTestStringConvertible {
        let name: String; let request: Request; let valid: Bool
        var testDescription: String { name }
    }
    let now: UInt64
    let sig_inputs: [Single]
    let sig_all_message: [Message]
    let sig_all: [All]
}

extension Array where Element == UInt8 {
    init(hex: String) { self = try! Hex.decode(hex) }
}
