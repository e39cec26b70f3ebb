import Foundation
import Testing

@testable import Secp256k1

/// BIP-340's official test-vectors.csv, every row.
struct BIP340Tests {
    struct Row: Sendable, CustomTestStringConvertible {
        let index: Int, secretKey: String, publicKey: String, auxRand: String
        let message: String, signature: String, valid: Bool, comment: String
        var testDescription: String { "row \(index)\(comment.isEmpty ? "" : ": " + comment)" }
    }

    static let rows: [Row] = {
        let url = Bundle.module.url(forResource: "Vectors/bip340-test-vectors", withExtension: "csv")!
        let text = try! String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(
                index: Int(f[0])!, secretKey: f[1], publicKey: f[2], auxRand: f[3],
                message: f[4], signature: f[5], valid: f[6] == "TRUE",
                comment: f[7...].joined(separator: ","))
        }
    }()

    @Test func allFifteenRowsAreLoaded() { #expect(Self.rows.count == 15) }

    @Test(arguments: rows)
    func vector(_ row: Row) throws {
        if !row.secretKey.isEmpty {
            let key = try SecretKey(hex: row.secretKey)
            #expect(key.xOnlyPublicKey.hex == row.publicKey.lowercased())
            let sig = try key.signSchnorr(message: try Hex.decode(row.message), auxRand: try Hex.decode(row.auxRand))
            #expect(Hex.encode(sig) == row.signature.lowercased())
        }
        let valid: Bool
        do {
            let pk = try XOnlyPublicKey(hex: row.publicKey)
            valid = pk.verify(signature: try Hex.decode(row.signature), message: try Hex.decode(row.message))
        } catch Secp256k1Error.invalidXOnlyPublicKey {
            valid = false  // rows 5 and 14: the key itself is refused
        }
        #expect(valid == row.valid)
    }

    @Test func freshAuxRandStillVerifies() throws {
        let key = SecretKey.generate()
        let msg = [UInt8](repeating: 7, count: 32)
        let a = try key.signSchnorr(message: msg)
        let b = try key.signSchnorr(message: msg)
        #expect(a != b, "each signature draws fresh auxiliary randomness")
        #expect(key.xOnlyPublicKey.verify(signature: a, message: msg))
        #expect(key.xOnlyPublicKey.verify(signature: b, message: msg))
        #expect(!key.xOnlyPublicKey.verify(signature: Array(a.prefix(63)), message: msg))
    }
}
