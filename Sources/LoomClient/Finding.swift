/// Something a worker did wrong in one job, as the client saw it. The
/// journal keeps the codes with the job; `WorkerRecord` counts them, and a
/// worker with any misconduct finding is avoided until the user forgives it
/// (`loom workers --forgive`). docs/CLIENT.md, "Which workers to trust".
public enum Finding: String, Sendable, Hashable, Codable, CaseIterable {
    /// It took the payment and gave no result: it rejected or said nothing,
    /// and the reclaim found the token spent; or no result came long after its budget ran out.
    case keptPayment = "kept-payment"
    /// The bill's price is above the offer's, or its charge above the price of the time it bills.
    case billOverPrice = "bill-over-price"
    /// The bill names another amount paid than the client paid.
    case billWrongPaid = "bill-wrong-paid"
    /// The change token is not the mint's: its proofs fail the mint's check or their DLEQ.
    case fakeChange = "change-fake"
    /// The change token was spent before the client could redeem it.
    case spentChange = "change-spent"
    /// The change token is locked to a key the client does not hold.
    case lockedChange = "change-locked"
    /// The change token is from another mint than the payment.
    case foreignChange = "change-other-mint"
    /// A result signed by the worker whose content breaks the protocol.
    case invalidResult = "result-invalid"
    /// An output's bytes are not what the result names, or more than it announced.
    case alteredOutput = "output-altered"
    /// A URL it gave (an output, a redirect, an advertised relay or Blossom server)
    /// points at a local or private address the user did not configure.
    case unsafeAddress = "unsafe-address"
    /// Counted, not held against the worker: its output could not be fetched
    /// in time (the Blossom server may be down, not the worker dishonest).
    case outputUnavailable = "output-unavailable"
    /// Counted, not held against it: the live text and the result disagree.
    case chunksDisagree = "chunks-disagree"

    /// Misconduct: the worker is avoided until forgiven.
    public var isMisconduct: Bool {
        switch self {
        case .outputUnavailable, .chunksDisagree: false
        default: true
        }
    }

    /// One line for `loom workers` and the job's warnings.
    public var explanation: String {
        switch self {
        case .keptPayment: "took the payment and gave no result"
        case .billOverPrice: "billed above its advertised price"
        case .billWrongPaid: "billed for another amount than was paid"
        case .fakeChange: "returned change the mint does not honour"
        case .spentChange: "returned change that was already spent"
        case .lockedChange: "returned change locked to another key"
        case .foreignChange: "returned change from another mint"
        case .invalidResult: "sent a result that breaks the protocol"
        case .alteredOutput: "named an output whose bytes did not match"
        case .unsafeAddress: "pointed the client at a local or private address"
        case .outputUnavailable: "its output could not be downloaded in time"
        case .chunksDisagree: "its live text disagreed with its result"
        }
    }
}
