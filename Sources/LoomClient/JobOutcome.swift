import Cashu
import LoomProtocol

/// How a followed job ended, from the client's side.
public struct JobOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case completed, failed, cancelled, rejected
        /// No final state within the deadline. The job may still finish:
        /// `loom job watch` picks it up from the journal.
        case timeout
    }

    public var jobID: String
    public var worker: String
    public var status: Status
    /// The generated text: the first `text/*` output, downloaded and hash-checked.
    public var output: String?
    public var outputs: [DownloadedOutput]
    public var usage: JobResult.Usage?
    public var bill: Bill?
    /// What the change added to the wallet (after the mint's fee); nil when there was no change or it is still pending.
    public var changeRedeemedSat: Amount?
    /// What a reclaimed payment added back to the wallet (rejected jobs, silent workers).
    public var reclaimedSat: Amount?
    /// Why the job failed or was rejected.
    public var error: Reason?
    /// The last progress seen.
    public var lastProgress: JobProgress?
    /// Things that went wrong after the job ended: a download that failed its
    /// hash, change the mint could not take yet. Each says what to do.
    public var warnings: [String]
    /// The signed result event's id: the receipt.
    public var resultEventID: String?
    /// What the worker did wrong in this job, if anything (also in the journal, for `loom workers`).
    public var findings: [Finding] = []
    /// How long this client took to settle a result, once it came (for the
    /// gateway's timing log and `scripts/bench_gateway.sh`).
    public var settling: Settling?

    public struct Settling: Sendable, Hashable {
        /// When the result was in hand and settling began.
        public var began: ContinuousClock.Instant
        /// The change redeemed (journal and mint swap); nil when there was no change to redeem.
        public var redeem: Duration?
        /// The outputs downloaded and checked (beside the redeem, not after it).
        public var download: Duration
    }

    public init(jobID: String, worker: String, status: Status) {
        self.jobID = jobID
        self.worker = worker
        self.status = status
        outputs = []
        warnings = []
    }
}

/// An output blob as the result described it, and whether we have its bytes.
public struct DownloadedOutput: Sendable, Hashable {
    public var descriptor: JobResult.Output
    /// The bytes, hash-checked; nil when the download failed (see the outcome's warnings).
    public var data: [UInt8]?
}
