import Foundation
import GRDB
import LoomProtocol

/// One job as the journal keeps it. The request event is kept whole (its
/// content is still NIP-44 ciphertext) because it carries the payment: a
/// restart must be able to take, run or refund the job from this row alone.
public struct JobRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "jobs"

    /// The request event id: the job id.
    public var id: String
    public var client: String
    public var model: String
    public var mint: String
    /// The kind-5100 event as JSON; nil for a request refused before payment (nothing to redo).
    public var requestEvent: String?
    public var state: JobState
    public var reasonCode: String?
    public var paidSat: UInt64
    public var inputFeeSat: UInt64
    public var budgetSeconds: UInt64
    public var receivedAt: Int64
    /// The request's own expiration, if any: a queued job past it is refunded, not run.
    public var expiresAt: Int64?
    public var startedAt: Int64?
    /// Backend time served so far, written about once a second while running,
    /// so a crash bills no more than was journaled.
    public var elapsedMs: UInt64
    public var finishedAt: Int64?
    public var chargedSat: UInt64?
    public var changeSat: UInt64?
    public var mintFeeSat: UInt64?
    /// How the job ended (`Ending` as JSON: state, fault, error, outputs,
    /// usage), written once the outputs are uploaded and before any money moves.
    public var ending: String?
    /// The bill (JSON) once settled; written before the change is made.
    public var bill: String?
    /// The change token: bearer money, stored before the result leaves.
    public var changeToken: String?
    /// The signed kind-5101 event (JSON), stored before it is published.
    public var resultEvent: String?
    public var published: Bool
    /// The price list the job was admitted under (`Rate`), journaled with
    /// it: a price changed before a restart never reprices a job taken
    /// before. Nil only for rows written before the column existed.
    public var msatPerSecond: UInt64?
    public var minSeconds: UInt64?
    public var maxSeconds: UInt64?
    /// Why a job that is not final yet is waiting on something outside the
    /// worker (`mint-unavailable`: the payment or the change depends on the
    /// mint), for `loom worker status` and `loom doctor`; nil otherwise.
    public var waiting: String?
    /// Rounds of the periodic retry this job has had, and when the next may run.
    public var retries: Int
    public var nextRetryAt: Int64?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, client, model, mint, state, ending, bill, published
        case requestEvent = "request_event", reasonCode = "reason_code", paidSat = "paid_sat"
        case inputFeeSat = "input_fee_sat", budgetSeconds = "budget_seconds", receivedAt = "received_at"
        case expiresAt = "expires_at", startedAt = "started_at", elapsedMs = "elapsed_ms"
        case finishedAt = "finished_at", chargedSat = "charged_sat", changeSat = "change_sat"
        case mintFeeSat = "mint_fee_sat", changeToken = "change_token", resultEvent = "result_event"
        case msatPerSecond = "msat_per_second", minSeconds = "min_seconds", maxSeconds = "max_seconds"
        case waiting, retries, nextRetryAt = "next_retry_at"
    }

    public init(
        id: String, client: String, model: String = "", mint: String = "", requestEvent: String? = nil,
        state: JobState, paidSat: UInt64 = 0, receivedAt: Int64, expiresAt: Int64? = nil, rate: Rate? = nil
    ) {
        self.id = id
        self.client = client
        self.model = model
        self.mint = mint
        self.requestEvent = requestEvent
        self.state = state
        self.paidSat = paidSat
        self.inputFeeSat = 0
        self.budgetSeconds = 0
        self.receivedAt = receivedAt
        self.expiresAt = expiresAt
        self.elapsedMs = 0
        self.published = false
        msatPerSecond = rate?.msatPerSecond
        minSeconds = rate?.minSeconds
        maxSeconds = rate?.maxSeconds
        retries = 0
    }

    /// The journaled price list, or `current` for a job journaled before prices were.
    public func rate(or current: Rate) -> Rate {
        guard let msatPerSecond, let minSeconds, let maxSeconds else { return current }
        return Rate(unit: current.unit, msatPerSecond: msatPerSecond, minSeconds: minSeconds, maxSeconds: maxSeconds)
    }
}

extension JobState: DatabaseValueConvertible {}

/// The outcome of a job as decided when it stopped, kept in the journal so a
/// restart settles it the same way (same state, same outputs, same cause).
struct Ending: Codable, Sendable, Hashable {
    var state: JobState
    /// The worker's fault: only time served is billed, no minimum.
    var workerFault: Bool
    var error: Reason?
    var outputs: [JobResult.Output] = []
    var usage: JobResult.Usage?
    var uploadError: String?
    var elapsedMs: UInt64 = 0

    /// How the time is billed. The worker's fault costs only the time
    /// served, and nothing at all when the client got nothing for it: a
    /// restart that lost the output, or outputs no Blossom server took.
    var cause: Pricing.Cause {
        if uploadError != nil || (workerFault && outputs.isEmpty) { return .nothingDelivered }
        return workerFault ? .workerFault : .normal
    }
}

/// Values of `JobRecord.waiting`.
enum WaitingReason {
    /// The payment's swap or the change depends on a mint that has not answered.
    static let mint = "mint-unavailable"
}
