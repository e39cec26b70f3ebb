import Cashu

/// Why a worker refuses a job request, one case per reason.
///
/// `code` is the stable machine-readable string a status event carries
/// (`reason.code`, and the third element of the `status` tag); `message`
/// is for people and never contains a token, a prompt or a key.
public enum RequestRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongKind(Int)
    case wrongWorker
    case tooLarge(bytes: Int, limit: Int)
    case notWhitelisted
    case badSignature
    /// `at` is nil when the expiration tag is malformed (read as expired, as NIP-40 handling here does).
    case expired(at: Int64?)
    case notEncrypted
    case clearTextPayment
    case undecryptable
    case badSchema(String)
    case unsupportedVersion(Int)
    case unknownModel(String)
    case tooShort(requested: UInt64, minimum: UInt64)
    case paymentMissing
    case paymentInvalid(String)
    case wrongUnit(String)
    case wrongMint(String)
    case underpaid(paid: Amount, needed: Amount)
    /// Locked (NUT-10/11) to another key, or with conditions the worker cannot meet alone.
    case wrongLock
    case invalidDLEQ
    /// The mint says a proof is already spent (or pending).
    case spent
    /// The mint could not be reached; nothing was taken, the client may retry.
    case mintUnavailable
    case workerBusy
    /// The worker is shutting down or not taking jobs.
    case notAccepting
    /// The input blob is larger than the worker takes (`max_input_bytes`; 0: it takes none).
    case inputTooLarge(bytes: UInt64, limit: UInt64)
    /// None of the worker's own Blossom servers has the input blob (or answered).
    case inputUnavailable
    /// The input blob fetched is not the one the request names: its hash, tag or
    /// content hash does not match, or it does not hold a prompt or messages.
    case inputMismatch(String)

    public enum Code: String, Sendable, CaseIterable {
        case wrongKind = "wrong-kind"
        case wrongWorker = "wrong-worker"
        case tooLarge = "too-large"
        case notWhitelisted = "not-whitelisted"
        case badSignature = "bad-signature"
        case expired
        case notEncrypted = "not-encrypted"
        case clearTextPayment = "clear-text-payment"
        case undecryptable
        case badSchema = "bad-schema"
        case unsupportedVersion = "unsupported-version"
        case unknownModel = "unknown-model"
        case tooShort = "too-short"
        case paymentMissing = "payment-missing"
        case paymentInvalid = "payment-invalid"
        case wrongUnit = "wrong-unit"
        case wrongMint = "wrong-mint"
        case underpaid
        case wrongLock = "wrong-lock"
        case invalidDLEQ = "invalid-dleq"
        case spent
        case mintUnavailable = "mint-unavailable"
        case workerBusy = "worker-busy"
        case notAccepting = "not-accepting"
        case inputTooLarge = "input-too-large"
        case inputUnavailable = "input-unavailable"
        case inputMismatch = "input-mismatch"
    }

    public var code: Code {
        switch self {
        case .wrongKind: .wrongKind
        case .wrongWorker: .wrongWorker
        case .tooLarge: .tooLarge
        case .notWhitelisted: .notWhitelisted
        case .badSignature: .badSignature
        case .expired: .expired
        case .notEncrypted: .notEncrypted
        case .clearTextPayment: .clearTextPayment
        case .undecryptable: .undecryptable
        case .badSchema: .badSchema
        case .unsupportedVersion: .unsupportedVersion
        case .unknownModel: .unknownModel
        case .tooShort: .tooShort
        case .paymentMissing: .paymentMissing
        case .paymentInvalid: .paymentInvalid
        case .wrongUnit: .wrongUnit
        case .wrongMint: .wrongMint
        case .underpaid: .underpaid
        case .wrongLock: .wrongLock
        case .invalidDLEQ: .invalidDLEQ
        case .spent: .spent
        case .mintUnavailable: .mintUnavailable
        case .workerBusy: .workerBusy
        case .notAccepting: .notAccepting
        case .inputTooLarge: .inputTooLarge
        case .inputUnavailable: .inputUnavailable
        case .inputMismatch: .inputMismatch
        }
    }

    public var message: String {
        switch self {
        case .wrongKind(let k): "kind \(k) is not a job request (\(LoomKind.jobRequest.rawValue))"
        case .wrongWorker: "the request is not addressed (p tag) to this worker alone"
        case .tooLarge(let n, let limit): "the request is \(n) bytes; this worker takes at most \(limit)"
        case .notWhitelisted: "the requesting key is not on this worker's whitelist"
        case .badSignature: "the request's id or signature does not verify"
        case .expired(nil): "the request's expiration tag is malformed, so it is treated as expired"
        case .expired(let at?): "the request expired at \(at)"
        case .notEncrypted: "the request content is not NIP-44 encrypted to the worker (or lacks the encrypted tag)"
        case .clearTextPayment:
            "the request carries a Cashu token in clear text; it is public on the relay now, so treat it as lost and never reuse it"
        case .undecryptable: "the request content cannot be decrypted with the worker's key"
        case .badSchema(let why): "the request content is malformed: \(why)"
        case .unsupportedVersion(let v): "request version \(v) is not supported (this worker speaks v\(WireVersion.current))"
        case .unknownModel(let m): "this worker does not serve model \"\(m.prefix(100))\""
        case .tooShort(let requested, let minimum): "max_seconds \(requested) is below this worker's minimum of \(minimum) s"
        case .paymentMissing: "the request has no payment"
        case .paymentInvalid(let why): "the payment is not a valid Cashu token: \(why)"
        case .wrongUnit(let unit): "the payment is in \"\(unit.prefix(16))\"; this worker takes sat"
        case .wrongMint(let mint): "this worker does not accept ecash from \(mint.prefix(200))"
        case .underpaid(let paid, let needed): "the payment is worth \(paid) sat after fees; at least \(needed) sat is needed"
        case .wrongLock: "the payment is locked to another key, or with conditions this worker cannot meet alone"
        case .invalidDLEQ: "a proof's DLEQ does not verify against the mint's keys"
        case .spent: "the mint reports the payment as already spent"
        case .mintUnavailable: "the mint could not be reached; nothing was taken, try again later"
        case .workerBusy: "the worker's queue is full; nothing was taken, try again later"
        case .notAccepting: "the worker is not taking jobs now; nothing was taken"
        case .inputTooLarge(let n, 0):
            "the input blob is \(n) bytes and this worker takes no input blobs; send the input inline, or choose another worker"
        case .inputTooLarge(let n, let limit): "the input blob is \(n) bytes; this worker takes at most \(limit)"
        case .inputUnavailable:
            "the input blob is not on this worker's Blossom servers; upload it to one the worker advertises; nothing was taken"
        case .inputMismatch(let why): "the input blob is not the one the request names: \(why.prefix(300)); nothing was taken"
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The `{code, message}` a status or result carries.
    public var reason: Reason { Reason(code: code.rawValue, message: message) }
}

/// A machine code and a human message, as status and result contents carry them.
public struct Reason: Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    public init(code: String, message: String) { self.code = code; self.message = message }
}
