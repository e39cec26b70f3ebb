import Cashu
import Secp256k1

/// The worker's terms a request is judged against once it is opened.
public struct WorkerTerms: Sendable, Hashable {
    public var models: Set<String>
    /// Accepted mints; compared after normalising (no trailing slash).
    public var mints: Set<String>
    public var rate: Rate
    /// The worker's Nostr key: the only key a P2PK-locked payment may name.
    public var worker: XOnlyPublicKey
    /// The largest input blob (`blob_size`) the worker fetches; 0 = none.
    public var maxInputBytes: UInt64

    public init(
        models: Set<String>, mints: some Sequence<String>, rate: Rate, worker: XOnlyPublicKey, maxInputBytes: UInt64 = 0
    ) {
        self.models = models
        self.mints = Set(mints.map(Token.normalizeMintURL))
        self.rate = rate
        self.worker = worker
        self.maxInputBytes = maxInputBytes
    }
}

/// A request that fits the worker's terms as far as can be told offline:
/// the next step is the payment desk (DLEQ, P2PK, swap at the mint).
public struct Admission: Sendable, Hashable {
    public let request: OpenedRequest
    public let token: Token
    public let paid: Amount

    /// Judges an opened request against `terms`, in this order: model,
    /// duration, the input blob's declared size (before anything is downloaded), token syntax, unit, mint, spending conditions, amount before fees. Nothing here
    /// talks to a mint, so every refusal leaves the client's money untouched.
    public init(_ opened: OpenedRequest, terms: WorkerTerms) throws(RequestRejection) {
        let req = opened.request
        guard terms.models.contains(req.model) else { throw .unknownModel(req.model) }
        let floor = max(terms.rate.minSeconds, 1)
        if let requested = req.maxSeconds, requested < floor { throw .tooShort(requested: requested, minimum: floor) }
        if case .blob(let blob) = req.input, blob.blobSize > terms.maxInputBytes {
            throw .inputTooLarge(bytes: blob.blobSize, limit: terms.maxInputBytes)
        }
        let token: Token
        do { token = try Token.decode(req.payment) } catch { throw .paymentInvalid(error.description) }
        guard token.unit == terms.rate.unit else { throw .wrongUnit(token.unit.rawValue) }
        guard terms.mints.contains(token.mint) else { throw .wrongMint(token.mint) }
        try Self.checkLocks(token, worker: terms.worker)
        let paid: Amount
        do { paid = try token.amount() } catch { throw .paymentInvalid(error.description) }
        let needed: Amount
        do { needed = try Pricing.minimumPayment(terms.rate) } catch { throw .notAccepting }
        guard paid >= needed else { throw .underpaid(paid: paid, needed: needed) }
        self.request = opened
        self.token = token
        self.paid = paid
    }

    /// Plain secrets pass. A P2PK secret must let the worker spend alone:
    /// its key on the main pathway and one signature needed. Any other
    /// well-known kind (HTLC, …) is a condition the worker cannot meet, and
    /// finding that out at the swap would cost a mint round trip.
    static func checkLocks(_ token: Token, worker: XOnlyPublicKey) throws(RequestRejection) {
        for proof in token.proofs {
            let secret: WellKnownSecret
            do { secret = try WellKnownSecret(parsing: proof.secret) } catch {
                if error == .notWellKnown { continue }
                throw .paymentInvalid("a proof's spending condition is malformed: \(error)")
            }
            let conditions: P2PKConditions
            do { conditions = try P2PKConditions(secret: secret) } catch { throw .wrongLock }
            guard conditions.nSigs == 1, conditions.lockingKeys.contains(where: { $0.x == worker.bytes }) else {
                throw .wrongLock
            }
        }
    }

    /// The budget once the mint's input fee for these proofs is known.
    /// Fees can turn an amount that looked sufficient into `underpaid`.
    public func budgetSeconds(inputFee: Amount, rate: Rate) throws(RequestRejection) -> UInt64 {
        do {
            return try Pricing.budgetSeconds(
                paid: paid, inputFee: inputFee, rate: rate,
                requestMaxSeconds: request.request.maxSeconds)
        } catch {
            switch error {
            case .underpaid(let net, let needed): throw .underpaid(paid: net, needed: needed)
            case .feesExceedPayment(_, let fees):
                throw .underpaid(paid: .zero, needed: (try? fees.adding(Pricing.minimumPaymentOrZero(rate))) ?? fees)
            case .requestBelowMinimum(let requested, let minimum): throw .tooShort(requested: requested, minimum: minimum)
            case .invalidRate, .overflow: throw .notAccepting
            }
        }
    }
}

extension Pricing {
    static func minimumPaymentOrZero(_ rate: Rate) -> Amount { (try? minimumPayment(rate)) ?? .zero }
}
