import Cashu
import Foundation
import GRDB
import Secp256k1

extension Wallet {
    /// Recovers every proof this wallet's mnemonic ever produced at this mint
    /// (NUT-13 + NUT-09), keeps the unspent ones (NUT-07) and moves each
    /// keyset's counter past the last one used. Returns the amount recovered.
    public func restore(batchSize: Int = 100, emptyBatchesToStop: Int = 3) async throws -> Amount {
        try await refreshKeysets()
        var recovered: [Proof] = []
        for ks in keysets.values where ks.unit == unit {
            var counter: UInt32 = 0
            var lastUsed: Int64 = -1
            var empty = 0
            while empty < emptyBatchesToStop {
                let outputs = try (0..<UInt32(batchSize)).map { i in
                    JournaledOutput(
                        position: Int(i), role: "keep",
                        blinding: try DeterministicSecrets.blindingData(
                            seed: seed, keysetID: ks.id, counter: counter + i, amount: Amount(1)))
                }
                let r: RestoreResponse
                do { r = try await mint.restore(outputs: outputs.map(\.blinding.message)) } catch {
                    throw WalletError.mint(error)
                }
                if r.signatures.isEmpty { empty += 1 } else { empty = 0 }
                let byB = Dictionary(zip(outputs.map(\.blinding.message.B_), outputs), uniquingKeysWith: { a, _ in a })
                for (msg, sig) in zip(r.outputs, r.signatures) {
                    guard let out = byB[msg.B_] else { continue }
                    let data = try BlindingData(
                        amount: sig.amount, keysetID: sig.id, secret: out.blinding.secret, r: out.blinding.r)
                    recovered.append(try data.unblind(sig, mintKey: try ks.key(for: sig.amount)))
                    lastUsed = max(lastUsed, Int64(counter) + Int64(out.position))
                }
                counter += UInt32(batchSize)
            }
            let next = lastUsed + 1
            try await store.db.write { db in
                try db.execute(sql: "UPDATE keysets SET counter = MAX(counter, ?) WHERE id = ?", arguments: [next, ks.id.hex])
            }
        }
        // Keep what is unspent and not already in the wallet.
        var unspent: [Proof] = []
        for chunk in stride(from: 0, to: recovered.count, by: 100).map({ Array(recovered[$0..<min($0 + 100, recovered.count)]) })
        {
            let Ys = try chunk.map { try $0.Y().hex }
            let states: [ProofState]
            do { states = try await mint.checkState(Ys: Ys) } catch { throw WalletError.mint(error) }
            unspent += zip(chunk, states).filter { $0.1.state == .unspent }.map(\.0)
        }
        let known = try await store.db.read { db in Set(try String.fetchAll(db, sql: "SELECT secret FROM proofs")) }
        let fresh = unspent.filter { !known.contains($0.secret) }
        let total = try Amount.sum(fresh.map(\.amount))
        let opID = Self.newOperationID()
        try await store.db.write { db in
            try self.insertOperation(db, id: opID, kind: .restore, amount: total, fee: .zero)
            try self.insertProofs(db, fresh, state: .unspent, operation: opID)
            try self.setOperation(db, opID, state: .done)
        }
        return total
    }

    /// Replaces this wallet's mnemonic; only allowed on an empty wallet.
    public static func importMnemonic(_ phrase: String, into store: WalletStore) throws {
        do { _ = try Mnemonic(phrase: phrase) } catch { throw WalletError.invalidMnemonic("\(error)") }
        let count = try store.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM proofs") ?? 0 }
        if count > 0, try store.meta("mnemonic") != phrase {
            throw WalletError.invalidMnemonic(
                "this wallet already holds proofs from another mnemonic; restore into an empty data directory")
        }
        try store.setMeta("mnemonic", phrase)
    }
}
