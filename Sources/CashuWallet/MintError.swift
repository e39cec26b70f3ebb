/// A mint's refusal, typed by its NUT error code (cashubtc/nuts
/// error_codes.md, as Nutshell 0.20 sends them), with the mint's own message.
public enum MintError: Error, Equatable, Sendable, CustomStringConvertible {
    case outputsAlreadySigned(String)
    case proofVerificationFailed(String)
    case alreadySpent(String)
    /// Another request spending these proofs is in progress at the mint.
    case proofsPending(String)
    /// Another request for these outputs is in progress at the mint.
    case outputsPending(String)
    case transactionUnbalanced(String)
    case unitNotSupported(String)
    case amountOutsideLimit(String)
    case keysetUnknown(String)
    case keysetInactive(String)
    case quoteNotPaid(String)
    case quoteAlreadyIssued(String)
    case mintingDisabled(String)
    case quotePending(String)
    case invoiceAlreadyPaid(String)
    case quoteExpired(String)
    /// Another code, or none: the HTTP status and what the mint said.
    case other(status: Int, code: Int?, detail: String)
    /// No connection could be made: the request never left.
    case unreachable(String)
    /// The connection failed after the request may have been sent.
    case transport(String)
    /// A request we could not even build, or an answer that breaks the
    /// protocol's rules (keys that do not match their id).
    case malformedResponse(String)
    /// A 2xx answer we cannot read (not JSON, wrong shape, a signature
    /// count that does not match our outputs). The mint may have done the
    /// work, so the outcome is unknown.
    case unreadableAnswer(String)

    init(status: Int, code: Int?, detail: String) {
        // 10002 and 10003 are the codes of earlier NUT revisions, still sent by older mints.
        switch code {
        case 11003, 10002: self = .outputsAlreadySigned(detail)
        case 10001, 10003: self = .proofVerificationFailed(detail)
        case 11001: self = .alreadySpent(detail)
        case 11002: self = .proofsPending(detail)
        case 11004: self = .outputsPending(detail)
        case 11005: self = .transactionUnbalanced(detail)
        case 11013: self = .unitNotSupported(detail)
        case 11006: self = .amountOutsideLimit(detail)
        case 12001: self = .keysetUnknown(detail)
        case 12002: self = .keysetInactive(detail)
        case 20001: self = .quoteNotPaid(detail)
        case 20002: self = .quoteAlreadyIssued(detail)
        case 20003: self = .mintingDisabled(detail)
        case 20005: self = .quotePending(detail)
        case 20006: self = .invoiceAlreadyPaid(detail)
        case 20007: self = .quoteExpired(detail)
        default: self = .other(status: status, code: code, detail: detail)
        }
    }

    /// The mint refuses because some inputs are spent or in use by another request.
    public var saysInputsUnavailable: Bool {
        switch self {
        case .alreadySpent, .proofsPending: true
        default: false
        }
    }

    /// True when the refusal may be the echo of an earlier request of ours
    /// (its answer lost): the mint must be asked what happened before the
    /// refusal is believed.
    public var mayBeOurOwnEarlierRequest: Bool {
        switch self {
        case .alreadySpent, .proofsPending, .outputsAlreadySigned, .outputsPending, .quoteAlreadyIssued: true
        default: false
        }
    }

    /// True when the request may have reached the mint and done its work,
    /// so its outcome must be learned (restore / check state) before retrying.
    public var outcomeUnknown: Bool {
        if case .transport = self { return true }
        if case .unreadableAnswer = self { return true }
        if case .other(let status, _, _) = self { return status >= 500 }
        return false
    }

    public var description: String {
        switch self {
        case .outputsAlreadySigned(let d): "mint: outputs were already signed (11003): \(d)"
        case .proofVerificationFailed(let d): "mint: proofs could not be verified (10001): \(d)"
        case .alreadySpent(let d): "mint: token already spent (11001): \(d)"
        case .proofsPending(let d): "mint: the proofs are being spent by another request (11002): \(d)"
        case .outputsPending(let d): "mint: the outputs are being signed by another request (11004): \(d)"
        case .transactionUnbalanced(let d): "mint: inputs and outputs do not balance (11005): \(d)"
        case .unitNotSupported(let d): "mint: unit not supported (11013): \(d)"
        case .amountOutsideLimit(let d): "mint: amount outside the mint's limits (11006): \(d)"
        case .keysetUnknown(let d): "mint: keyset unknown (12001): \(d)"
        case .keysetInactive(let d): "mint: keyset inactive (12002): \(d)"
        case .quoteNotPaid(let d): "mint: quote not paid (20001): \(d)"
        case .quoteAlreadyIssued(let d): "mint: quote already issued (20002): \(d)"
        case .mintingDisabled(let d): "mint: minting disabled (20003): \(d)"
        case .quotePending(let d): "mint: quote pending (20005): \(d)"
        case .invoiceAlreadyPaid(let d): "mint: invoice already paid (20006): \(d)"
        case .quoteExpired(let d): "mint: quote expired (20007): \(d)"
        case .other(let s, let c, let d): "mint: HTTP \(s)\(c.map { " code \($0)" } ?? ""): \(d)"
        case .unreachable(let d): "mint unreachable: \(d)"
        case .transport(let d): "lost the connection to the mint: \(d)"
        case .malformedResponse(let d): "mint answered something unexpected: \(d)"
        case .unreadableAnswer(let d): "mint answered but the answer cannot be read (outcome unknown): \(d)"
        }
    }
}
