import Foundation
import Secp256k1

/// The conditions of a P2PK secret (NUT-11), checked for the malformations
/// that NUT-11 says make a proof unspendable.
public struct P2PKConditions: Sendable, Hashable {
    public enum SigFlag: String, Sendable {
        case sigInputs = "SIG_INPUTS"
        case sigAll = "SIG_ALL"
    }

    public var sigFlag: SigFlag
    /// `Secret.data`: the key that can always sign on the main pathway.
    public var data: PublicKey
    /// The `pubkeys` tag: more keys on the main pathway.
    public var pubkeys: [PublicKey]
    public var nSigs: Int
    /// Unix time; nil means the lock is permanent (also for a value that is
    /// not a unix time, as NUT-11 says).
    public var locktime: UInt64?
    public var refundKeys: [PublicKey]
    public var nSigsRefund: Int

    public init(
        data: PublicKey, pubkeys: [PublicKey] = [], nSigs: Int = 1, locktime: UInt64? = nil,
        refundKeys: [PublicKey] = [], nSigsRefund: Int = 1, sigFlag: SigFlag = .sigInputs
    ) {
        self.sigFlag = sigFlag
        self.data = data
        self.pubkeys = pubkeys
        self.nSigs = nSigs
        self.locktime = locktime
        self.refundKeys = refundKeys
        self.nSigsRefund = nSigsRefund
    }

    public init(secret: WellKnownSecret) throws(SpendingConditionError) {
        guard secret.kind == "P2PK" else { throw .wrongKind(secret.kind) }
        data = try Self.key(secret.data)
        let flag = try secret.tagValues("sigflag", unique: true)?.first ?? SigFlag.sigInputs.rawValue
        guard let sigFlag = SigFlag(rawValue: flag) else { throw .invalidSigFlag(flag) }
        self.sigFlag = sigFlag
        pubkeys = try Self.keys(secret, "pubkeys")
        refundKeys = try Self.keys(secret, "refund")
        locktime = try secret.tagValues("locktime", unique: true)?.first.flatMap { UInt64($0) }
        nSigs = try Self.count(secret, "n_sigs", keys: 1 + pubkeys.count)
        nSigsRefund = try Self.count(secret, "n_sigs_refund", keys: refundKeys.count)
        // Keys are compared by x coordinate: 02 and 03 forms sign alike.
        for pathway in [[data] + pubkeys, refundKeys] where Set(pathway.map(\.x)).count != pathway.count {
            throw .duplicateKey
        }
    }

    /// Main pathway keys: `data` then the `pubkeys` tag.
    public var lockingKeys: [PublicKey] { [data] + pubkeys }

    /// A fresh secret carrying these conditions.
    public func secret(nonce: String = Hex.encode(SecureRandom.bytes(32))) -> WellKnownSecret {
        var tags: [[String]] = [["sigflag", sigFlag.rawValue]]
        if !pubkeys.isEmpty { tags.append(["pubkeys"] + pubkeys.map(\.hex)) }
        if nSigs != 1 { tags.append(["n_sigs", String(nSigs)]) }
        if let locktime { tags.append(["locktime", String(locktime)]) }
        if !refundKeys.isEmpty { tags.append(["refund"] + refundKeys.map(\.hex)) }
        if nSigsRefund != 1 { tags.append(["n_sigs_refund", String(nSigsRefund)]) }
        return WellKnownSecret(kind: "P2PK", data: data.hex, tags: tags, nonce: nonce)
    }

    /// NUT-11: expired means the clock is past `locktime`.
    public func isExpired(now: UInt64) -> Bool { locktime.map { now > $0 } ?? false }

    private static func key(_ hex: String) throws(SpendingConditionError) -> PublicKey {
        do { return try PublicKey(hex: hex) } catch { throw .invalidPublicKey(hex) }
    }

    private static func keys(_ secret: WellKnownSecret, _ tag: String) throws(SpendingConditionError) -> [PublicKey] {
        var out: [PublicKey] = []
        for hex in try secret.tagValues(tag, unique: true) ?? [] { out.append(try key(hex)) }
        return out
    }

    private static func count(_ secret: WellKnownSecret, _ tag: String, keys: Int) throws(SpendingConditionError) -> Int {
        guard let text = try secret.tagValues(tag, unique: true)?.first else { return 1 }
        guard let n = Int(text), n >= 1, n <= keys else { throw .invalidCount(tag: tag, value: text) }
        return n
    }
}

/// The witness JSON of a P2PK input: `{"signatures": [hex, ...]}`. An HTLC
/// witness (NUT-14) also has `preimage`, kept so that signing does not drop it.
public struct P2PKWitness: Sendable, Hashable, Codable {
    public var signatures: [String]
    public var preimage: String?

    public init(signatures: [String], preimage: String? = nil) {
        self.signatures = signatures
        self.preimage = preimage
    }

    public init(json: String) throws(SpendingConditionError) {
        guard let w = try? JSONDecoder().decode(P2PKWitness.self, from: Data(json.utf8)) else { throw .invalidWitness }
        self = w
    }

    /// Compact JSON, preimage first as NUT-14 writes it.
    public var json: String {
        var members: [(String, String)] = []
        if let preimage { members.append(("preimage", JSONText.string(preimage))) }
        members.append(("signatures", JSONText.array(signatures.map(JSONText.string))))
        return JSONText.object(members)
    }
}
