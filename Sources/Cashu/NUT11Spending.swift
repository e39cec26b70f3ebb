import Crypto
import Secp256k1

/// Signing and checking P2PK inputs (NUT-11), the way a mint would, so a
/// worker can refuse a payment it could not spend before it does any work.
public enum P2PK {
    /// BIP-340 signature over SHA256(message), hex. `auxRand` is for tests.
    public static func sign(_ message: String, with key: SecretKey, auxRand: [UInt8]? = nil) throws(Secp256k1Error) -> String {
        Hex.encode(try key.signSchnorr(message: digest(message), auxRand: auxRand))
    }

    /// `proof` with a SIG_INPUTS signature by `key` added to its witness.
    public static func signed(
        _ proof: Proof, with key: SecretKey, auxRand: [UInt8]? = nil
    ) throws(SpendingConditionError) -> Proof {
        try adding(signature: signature(proof.secret, key, auxRand), to: proof)
    }

    /// `inputs` with a SIG_ALL signature by `key` over the whole transaction
    /// added to the first input's witness, where NUT-11 looks for it.
    public static func signedSigAll(
        inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil,
        with key: SecretKey, auxRand: [UInt8]? = nil
    ) throws(SpendingConditionError) -> [Proof] {
        guard let first = inputs.first else { throw .noInputs }
        let message = sigAllMessage(inputs: inputs, outputs: outputs, quoteID: quoteID)
        var out = inputs
        out[0] = try adding(signature: signature(message, key, auxRand), to: first)
        return out
    }

    /// The SIG_ALL message: each input's secret and C, each output's amount
    /// and B_, then the melt quote id if any, as one string.
    public static func sigAllMessage(inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil) -> String {
        var m = ""
        for p in inputs { m += p.secret + p.C.hex }
        for o in outputs { m += String(o.amount.value) + o.B_.hex }
        return m + (quoteID ?? "")
    }

    /// Checks one SIG_INPUTS proof at unix time `now`. A plain secret is
    /// `.notWellKnown`, another kind `.wrongKind`.
    public static func verify(_ proof: Proof, now: UInt64) throws(SpendingConditionError) {
        let c = try P2PKConditions(secret: WellKnownSecret(parsing: proof.secret))
        guard c.sigFlag == .sigInputs else { throw .sigAllNeedsTransaction }
        try check(c, witness: proof.witness, message: proof.secret, now: now)
    }

    /// Checks every P2PK input of a swap (or a melt, with `quoteID`). If any
    /// input is SIG_ALL, all must share its data and tags and the first
    /// input's witness must sign the whole transaction. Inputs without a
    /// well-known secret need nothing; other kinds are left to the mint.
    public static func verifyTransaction(
        inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil,
        now: UInt64
    ) throws(SpendingConditionError) {
        guard let first = inputs.first else { throw .noInputs }
        let secrets = inputs.map { try? WellKnownSecret(parsing: $0.secret) }
        let anySigAll = secrets.contains { $0?.kind == "P2PK" && $0?.tag("sigflag")?.first == "SIG_ALL" }
        guard anySigAll else {
            for (proof, secret) in zip(inputs, secrets) where secret?.kind == "P2PK" { try verify(proof, now: now) }
            return
        }
        guard let lead = secrets[0], lead.kind == "P2PK",
            secrets.allSatisfy({ $0?.kind == lead.kind && $0?.data == lead.data && $0?.tags == lead.tags })
        else { throw .sigAllMismatch }
        let c = try P2PKConditions(secret: lead)
        try check(
            c, witness: first.witness,
            message: sigAllMessage(inputs: inputs, outputs: outputs, quoteID: quoteID), now: now)
    }

    /// Whether `key` alone can spend `proof` at `now`: a plain secret (anyone
    /// can), a lock whose single required signature `key` can give on the
    /// main or (once expired) refund pathway, or an expired lock without
    /// refund keys. A malformed well-known secret or another kind gives false.
    public static func canUnlock(_ proof: Proof, with key: PublicKey, now: UInt64) -> Bool {
        let secret: WellKnownSecret
        do { secret = try WellKnownSecret(parsing: proof.secret) } catch {
            // Mints disagree on half-formed secrets; only a clearly plain one is taken as open.
            return error == .notWellKnown
        }
        guard secret.kind == "P2PK", let c = try? P2PKConditions(secret: secret) else { return false }
        let expired = c.isExpired(now: now)
        if expired && c.refundKeys.isEmpty { return true }
        if c.nSigs == 1 && c.lockingKeys.contains(where: { $0.x == key.x }) { return true }
        return expired && c.nSigsRefund == 1 && c.refundKeys.contains { $0.x == key.x }
    }

    // MARK: Internals

    static func digest(_ message: String) -> [UInt8] { Array(SHA256.hash(data: Array(message.utf8))) }

    private static func signature(
        _ message: String, _ key: SecretKey, _ auxRand: [UInt8]?
    ) throws(SpendingConditionError) -> String {
        do { return try sign(message, with: key, auxRand: auxRand) } catch { throw .malformed("signing failed: \(error)") }
    }

    private static func adding(signature: String, to proof: Proof) throws(SpendingConditionError) -> Proof {
        var witness =
            try proof.witness.map { w throws(SpendingConditionError) in try P2PKWitness(json: w) } ?? P2PKWitness(signatures: [])
        witness.signatures.append(signature)
        var out = proof
        out.witness = witness.json
        return out
    }

    /// Main pathway, or after the locktime also the refund pathway; an
    /// expired lock without refund keys is open to anyone (NUT-11).
    private static func check(_ c: P2PKConditions, witness: String?, message: String, now: UInt64) throws(SpendingConditionError)
    {
        let expired = c.isExpired(now: now)
        if expired && c.refundKeys.isEmpty { return }
        let signatures = try witness.map { w throws(SpendingConditionError) in try P2PKWitness(json: w).signatures } ?? []
        let sigs = signatures.compactMap { try? Hex.decode($0, length: 64) }
        let hash = digest(message)
        // Distinct keys with a valid signature: Schnorr signatures are not
        // unique, so counting signatures would let one key sign twice.
        func signers(_ keys: [PublicKey]) -> Int {
            keys.filter { key in sigs.contains { key.xOnly.verify(signature: $0, message: hash) } }.count
        }
        let main = signers(c.lockingKeys)
        if main >= c.nSigs { return }
        if expired {
            let refund = signers(c.refundKeys)
            if refund >= c.nSigsRefund { return }
            throw .notEnoughSignatures(required: c.nSigsRefund, valid: refund)
        }
        throw .notEnoughSignatures(required: c.nSigs, valid: main)
    }
}
