/// The life of a job, as status events publish it and the worker's journal
/// records it. One machine, so the worker, the journal and a watching client
/// agree on what may follow what.
///
/// ```
/// received ─▶ payment-verified ─▶ queued ─▶ running ─▶ uploading ─▶ completed
///    │               │  └──────────────────▲ │  └──────────────────▲
///    ▼               ▼                       ▼
/// rejected     failed / cancelled    failed / cancelled
/// ```
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Seen and opened; the payment not yet checked at the mint.
    case received
    /// The payment is swapped into the worker's wallet: from here the worker holds the client's money.
    case paymentVerified = "payment-verified"
    /// Waiting for a free slot; status shows the queue position.
    case queued
    /// The backend is generating; status shows tokens and cost so far.
    case running
    /// Generation finished; outputs are going to Blossom.
    case uploading
    /// Done; the result carries outputs, bill and change.
    case completed
    /// The worker failed after taking the payment; billed for the seconds served only.
    case failed
    /// Stopped at the client's request; billed as a normal end.
    case cancelled
    /// Refused before any money was taken.
    case rejected

    public var description: String { rawValue }

    /// The states that may follow this one. Terminal states have none.
    public var successors: Set<JobState> {
        switch self {
        // Before the swap nothing is held: refuse, or stop on the client's word.
        case .received: [.paymentVerified, .rejected, .cancelled]
        // A paid job can no longer be "rejected": any refusal now is a failure with a refund.
        case .paymentVerified: [.queued, .running, .failed, .cancelled]
        case .queued: [.running, .failed, .cancelled]
        // Straight to completed when there is nothing to upload.
        case .running: [.uploading, .completed, .failed, .cancelled]
        // The work is done: a cancel no longer saves the client anything.
        case .uploading: [.completed, .failed]
        case .completed, .failed, .cancelled, .rejected: []
        }
    }

    public var isTerminal: Bool { successors.isEmpty }

    /// True while the worker holds the client's money and owes a result.
    public var holdsPayment: Bool { [.paymentVerified, .queued, .running, .uploading].contains(self) }

    /// True for the states that end with a kind-5101 result carrying a bill.
    public var hasBill: Bool { [.completed, .failed, .cancelled].contains(self) }

    public func canMove(to next: JobState) -> Bool { successors.contains(next) }

    /// The next state, or an error naming the forbidden step.
    public func moving(to next: JobState) throws(JobStateError) -> JobState {
        guard canMove(to: next) else { throw JobStateError(from: self, to: next) }
        return next
    }
}

public struct JobStateError: Error, Equatable, Sendable, CustomStringConvertible {
    public let from: JobState
    public let to: JobState
    public var description: String {
        from.isTerminal ? "job is already \(from); it cannot become \(to)" : "a job cannot go from \(from) to \(to)"
    }
}
