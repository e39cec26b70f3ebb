import Cashu

/// The worker's terms a request is judged against once it is opened.
public struct WorkerTerms: Sendable, Hashable {
    public var models: Set<String>
    /// Accepted mints; compared after normalising (no trailing slash).
    public var mints: Set<String>
    public var rate: Rate

    public init(models: Set<String>, mints: some Sequence<String>, rate: Rate) {
        self.models = models
        self.mints = Set(mints.map(Token.normalizeMintURL))
        self.rate = rate
    }
}

/// A request that fits the worker's terms as far as can be told offline:
/// the next step is the payment desk (DLEQ, P2PK, swap at the mint).
public struct Admission: Sendable, Hashable {
    public let request: OpenedRequest
    public let token: Token
    public let paid: Amount

    /// Judges an opened request against `terms`, in this order: model,
    /// duration, token syntax, unit, mint, amount before fees. Nothing here
    /// talks to a mint, so every refusal leaves the client's money untouched.
    public init(_ opened: OpenedRequest, terms: WorkerTerms) throws(RequestRejection) {
        let req = opened.request
        guard terms.models.contains(req.model) else { throw .unknownModel(req.model) }
        let floor = max(terms.rate.minSeconds, 1)
        if let requested = req.maxSeconds, requested < floor { throw .tooShort(requested: requested, minimum: floor) }
        let token: Token
        do { token = try Token.decode(req.payment) } catch { throw .paymentInvalid(error.description) }
        guard token.unit == terms.rate.unit else { throw .wrongUnit(token.unit.rawValue) }
        guard terms.mints.contains(token.mint) else { throw .wrongMint(token.mint) }
        let paid: Amount
        do { paid = try token.amount() } catch { throw .paymentInvalid(error.description) }
        let needed: Amount
        do { needed = try Pricing.minimumPayment(terms.rate) } catch { throw .notAccepting }
        guard paid >= needed else { throw .underpaid(paid: paid, needed: needed) }
        self.request = opened
        self.token = token
        self.paid = paid
    }

    /// The budget once the mint's input fee for these proofs is known.
    /// Fees can turn an amount that looked sufficient into `underpaid`.
    public func budgetSeconds(inputFee: Amount, rate: Rate) throws(RequestRejection) -> UInt64 {
        do {
            return try Pricing.budgetSeconds(paid: paid, inputFee: inputFee, rate: rate,
                                             requestMaxSeconds: request.request.maxSeconds)
        } catch {
            switch error {
            case .underpaid(let net, let needed): throw .underpaid(paid: net, needed: needed)
            case .feesExceedPayment(_, let fees): throw .underpaid(paid: .zero, needed: (try? fees.adding(Pricing.minimumPaymentOrZero(rate))) ?? fees)
            case .requestBelowMinimum(let requested, let minimum): throw .tooShort(requested: requested, minimum: minimum)
            case .invalidRate, .overflow: throw .notAccepting
            }
        }
    }
}

extension Pricing {
    static func minimumPaymentOrZero(_ rate: Rate) -> Amount { (try? minimumPayment(rate)) ?? .zero }
}
