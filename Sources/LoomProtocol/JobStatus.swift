/// Public progress of one job (kind 30100). Anyone may read it, so it holds
/// counters and codes only: never the prompt, the output or a token.
public struct JobStatus: Sendable, Hashable, Codable {
    public var status: JobState
    /// Time the backend has run for this job so far.
    public var elapsedMs: UInt64
    /// Cost so far at the advertised price, rounded up (before the minimum is applied).
    public var costMsat: UInt64
    /// Completion tokens generated so far.
    public var tokens: UInt64
    /// The budget bought by the payment, once known (from payment-verified on).
    public var budgetSeconds: UInt64?
    /// 1 = next to run. Only while queued.
    public var queuePosition: Int?
    public var tokensPerSecond: Double?
    /// Why the job failed or was rejected (a `RequestRejection` or `JobFailure` code).
    public var reason: Reason?

    public init(
        status: JobState, elapsedMs: UInt64 = 0, costMsat: UInt64 = 0, tokens: UInt64 = 0,
        budgetSeconds: UInt64? = nil, queuePosition: Int? = nil, tokensPerSecond: Double? = nil, reason: Reason? = nil
    ) {
        self.status = status
        self.elapsedMs = elapsedMs
        self.costMsat = costMsat
        self.tokens = tokens
        self.budgetSeconds = budgetSeconds
        self.queuePosition = queuePosition
        self.tokensPerSecond = tokensPerSecond
        self.reason = reason
    }

    /// The status of a refused request.
    public static func rejected(_ why: RequestRejection) -> JobStatus { JobStatus(status: .rejected, reason: why.reason) }

    enum CodingKeys: String, CodingKey {
        case status, tokens, reason
        case elapsedMs = "elapsed_ms", costMsat = "cost_msat", budgetSeconds = "budget_seconds"
        case queuePosition = "queue_position", tokensPerSecond = "tokens_per_second"
    }

    public func validate() throws(ContentError) {
        switch status {
        case .failed, .rejected:
            guard let reason, !reason.code.isEmpty else {
                throw .invalid(field: "reason", reason: "a \(status) status says why")
            }
        default: break
        }
        if let reason, reason.code.count > 64 || reason.message.count > 500 {
            throw .invalid(field: "reason", reason: "code at most 64 and message at most 500 characters")
        }
        try WireBounds.counter(elapsedMs, "elapsed_ms")
        try WireBounds.counter(costMsat, "cost_msat")
        try WireBounds.counter(tokens, "tokens")
        if let budgetSeconds, budgetSeconds > Rate.maxDurationSeconds {
            throw .invalid(field: "budget_seconds", reason: "is above \(Rate.maxDurationSeconds)")
        }
        if let queuePosition {
            guard status == .queued, (1...WireBounds.maxSlots).contains(queuePosition) else {
                throw .invalid(field: "queue_position", reason: "only while queued, counting from 1 to \(WireBounds.maxSlots)")
            }
        }
        if let tokensPerSecond, !(tokensPerSecond.isFinite && tokensPerSecond >= 0) {
            throw .invalid(field: "tokens_per_second", reason: "must be a finite number ≥ 0")
        }
    }
}
