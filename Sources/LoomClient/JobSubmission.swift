import Cashu
import CashuWallet
import LoomJSON
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// What the client asks for, before it is paid for and sealed.
public struct JobOrder: Sendable, Hashable {
    public var model: String
    public var input: JobRequest.Input
    public var options: [String: JSONValue]
    /// The budget in seconds (also sent as `max_seconds`). Nil: `budgetSat`
    /// decides, or `defaultSeconds` capped by the worker's maximum.
    public var seconds: UInt64?
    /// The budget in sat, fees included; used when `seconds` is nil.
    public var budgetSat: Amount?
    /// Ask for change locked (P2PK) to the client key.
    public var lockChange: Bool
    /// The request's NIP-40 lifetime: a worker must not start it later than this.
    public var expiresIn: Int64
    /// Send the input as an encrypted blob on the worker's Blossom server even
    /// when it would fit in the request (it goes as a blob anyway when it does not).
    public var inputBlob: Bool
    /// What sends the job, kept in the journal (`gateway`); nil for `loom job submit`.
    public var via: String? = nil
    /// The most the job may take from the wallet, the mint's fee included: a
    /// worker whose least sale costs more is refused before anything is paid.
    public var maxSat: Amount? = nil

    public static let defaultSeconds: UInt64 = 60

    public init(
        model: String, input: JobRequest.Input, options: [String: JSONValue] = [:], seconds: UInt64? = nil,
        budgetSat: Amount? = nil, lockChange: Bool = true, expiresIn: Int64 = 600, inputBlob: Bool = false
    ) {
        self.model = model
        self.input = input
        self.options = options
        self.seconds = seconds
        self.budgetSat = budgetSat
        self.lockChange = lockChange
        self.expiresIn = expiresIn
        self.inputBlob = inputBlob
    }
}

/// Where the payment comes from.
public enum PaymentSource: Sendable, Hashable {
    /// A token made now from the client's wallet. Unlocked by default: see `JobClient.submit`.
    case wallet(lockToWorker: Bool = false)
    /// A token the user passes in; it is sent as is and never reclaimed by us.
    case token(String)
}

extension PaymentSource {
    var journalName: String {
        switch self {
        case .wallet(let locked): locked ? "wallet-locked" : "wallet"
        case .token: "token"
        }
    }
}

/// A published request.
public struct SubmittedJob: Sendable, Hashable {
    public let jobID: String
    public let worker: String
    public let request: Event
    public let paidSat: Amount
    /// What making the payment token cost our wallet (its swap's input fee); 0 for a given token.
    public let paymentFee: Amount
    public let relays: [String]
    /// The input went as an encrypted blob on the worker's Blossom server
    /// (its plaintext size), not inside the request; nil when inline.
    public var inputBlobSize: UInt64? = nil
    /// Where the time went before the request left.
    public var spans = SubmitSpans()
}

/// The steps of a submission and how long each took: `loom gateway` logs
/// them with each call, and scripts/bench_gateway.sh prints their medians.
public struct SubmitSpans: Sendable, Hashable {
    /// Pricing and making the payment token: the mint's fee (cached), a swap unless held proofs fit.
    public var pay: Duration = .zero
    /// Encrypting, signing and journaling the request.
    public var seal: Duration = .zero
    /// Until the chunk subscription was in place (streamed jobs).
    public var subscribe: Duration = .zero
    /// Until a relay said OK to the request.
    public var publish: Duration = .zero
}

extension JobClient {
    /// Pays, seals, journals and publishes a job for `offer`'s worker.
    ///
    /// The payment token, when made from our wallet, is NOT P2PK-locked to
    /// the worker unless asked. A locked token is useless to a thief, but it
    /// is useless to us too: if the worker rejects the job (nothing taken)
    /// or never answers, only the worker could redeem it, so the client
    /// would lose it. The token travels only inside NIP-44 ciphertext to the
    /// worker, so the lock adds little in transit, while the unlocked token
    /// lets us reclaim the money (`wallet.receive`) on `rejected` or silence.
    /// A worker that rejects and redeems anyway shows up as a failed reclaim.
    public func submit(_ order: JobOrder, to offer: WorkerOffer, paying source: PaymentSource) async throws -> SubmittedJob {
        var job = try await prepare(order, to: offer, paying: source, stream: false)
        let started = ContinuousClock.now
        try await publish(job, workerRelays: offer.advertisement.relays)
        job.spans.publish = .now - started
        return job
    }

    /// Pays, seals and journals a job: everything but publishing it, so a
    /// streaming caller can subscribe to its chunks first.
    func prepare(
        _ order: JobOrder, to offer: WorkerOffer, paying source: PaymentSource, stream: Bool
    ) async throws
        -> SubmittedJob
    {
        let ad = offer.advertisement
        guard ad.models.contains(order.model) else {
            throw ClientError.workerMismatch(
                "worker \(ad.name) does not serve model \"\(order.model)\" (it serves \(ad.models.joined(separator: ", ")))")
        }
        let workerKey = try XOnlyPublicKey(hex: offer.worker)
        // Before paying: a request the worker would drop as too large costs nothing.
        let order = try await placeInput(order, offer: offer, workerKey: workerKey)
        let clock = ContinuousClock(), payStarted = clock.now
        let (payment, paid, fee, reclaimable, seconds) = try await pay(order, offer: offer, workerKey: workerKey, source: source)
        let sealStarted = clock.now
        let mint = try? Token.decode(payment).mint
        let request = JobRequest(
            model: order.model, input: order.input, options: order.options, payment: payment,
            maxSeconds: seconds, lockChange: order.lockChange, stream: stream)
        let now = Event.now()
        let event = try request.seal(
            from: key, to: workerKey, relays: pool.urls, expiresAt: now + order.expiresIn, createdAt: now)
        var entry = JournaledJob(
            jobID: event.id, worker: offer.worker, relays: pool.urls, workerRelays: ad.relays, request: event,
            model: order.model, paidSat: paid.value,
            mint: mint, reclaimableToken: reclaimable, paymentSource: source.journalName,
            pendingChange: nil, stage: .submitted, createdAt: now, via: order.via)
        entry.offerMsatPerSecond = ad.pricing.msatPerSecond
        entry.offerMinSeconds = ad.pricing.minSeconds
        entry.spentSat = paid.value + fee.value
        let size = RequestOpener.approximateSize(event)
        if size > ad.requestLimit {
            // The token came out longer than allowed for: take it back unsent. Journaled
            // first, so a mint that fails the reclaim leaves it in `loom job list`, not only in wallet history.
            if reclaimable != nil {
                entry.note = "never sent: the request would be \(size) bytes, over the worker's \(ad.requestLimit)"
                try journal.save(entry)
                do { try await reclaim(event.id) } catch {
                    logger.notice("the unsent payment could not be reclaimed yet", metadata: ["job": "\(event.id)"])
                }
                _ = try? journal.update(event.id) {
                    if $0.reclaimableToken == nil { $0.stage = .settled; $0.lastState = "rejected" }
                }
            }
            throw ClientError.requestTooLarge(bytes: size, limit: ad.requestLimit, worker: ad.name, takesBlobs: ad.inputLimit > 0)
        }
        try journal.save(entry)
        logger.debug("submitting", metadata: ["job": "\(event.id)", "request": "\(request)"])
        var submitted = SubmittedJob(
            jobID: event.id, worker: offer.worker, request: event, paidSat: paid, paymentFee: fee, relays: pool.urls)
        submitted.spans.pay = sealStarted - payStarted
        submitted.spans.seal = clock.now - sealStarted
        if case .blob(let blob) = order.input { submitted.inputBlobSize = blob.size }
        return submitted
    }

    /// Publishes a prepared job; if no relay takes it, reclaims the payment and throws.
    func publish(_ job: SubmittedJob, workerRelays: [String]) async throws {
        do {
            try await publishRequest(job.request, workerRelays: workerRelays)
        } catch {
            // Nobody stored the request, so no worker will take the money: take it back.
            let reclaimed = try? await reclaim(job.jobID)
            logger.debug("publish failed", metadata: ["job": "\(job.jobID)", "reclaimed": "\(reclaimed?.value ?? 0)"])
            throw ClientError.publishFailed(error, relays: pool.urls)
        }
    }

    /// Publishes the request to our relays and to the relays the worker
    /// says it reads, which may be others: a request the worker never sees
    /// would only come back at the timeout. Status and result come back on
    /// our relays, named in the request's `relays` tag. One OK anywhere is enough.
    func publishRequest(_ event: Event, workerRelays: [String]) async throws(RelayPoolError) {
        await pool.connect()
        let extraURLs = await dialable(workerRelays.filter { !pool.urls.contains($0) }, schemes: ["ws", "wss"])
        guard !extraURLs.isEmpty, let extra = try? RelayPool(urls: extraURLs, logger: logger) else {
            _ = try await pool.publish(event)
            return
        }
        await extra.connect()
        async let ours = Self.failure(publishing: event, to: pool)
        async let theirs = Self.failure(publishing: event, to: extra)
        let (a, b) = await (ours, theirs)
        await extra.close()
        if let a, b != nil { throw a }
    }

    static func failure(publishing event: Event, to pool: RelayPool) async -> RelayPoolError? {
        do { _ = try await pool.publish(event); return nil } catch { return error }
    }

    /// The token to send, its value, whether we may reclaim it, and `max_seconds`.
    func pay(
        _ order: JobOrder, offer: WorkerOffer, workerKey: XOnlyPublicKey, source: PaymentSource
    ) async throws
        -> (token: String, paid: Amount, fee: Amount, reclaimable: String?, seconds: UInt64?)
    {
        let rate = offer.advertisement.pricing
        switch source {
        case .token(let text):
            let token: Token
            do { token = try Token.decode(text) } catch {
                throw ClientError.invalidInput("--token is not a Cashu token: \(error)")
            }
            guard offer.advertisement.mints.contains(token.mint) else {
                throw ClientError.workerMismatch(
                    "the token is from \(token.mint); worker \(offer.advertisement.name) takes \(offer.advertisement.mints.joined(separator: ", "))"
                )
            }
            return (text, try token.amount(), .zero, nil, order.seconds)
        case .wallet(let lockToWorker):
            guard let wallet else { throw ClientError.invalidInput("no wallet to pay from: pass a token or configure a mint") }
            guard offer.advertisement.mints.contains(wallet.mint.url) else {
                throw ClientError.workerMismatch(
                    "worker \(offer.advertisement.name) does not take ecash from \(wallet.mint.url) (it takes \(offer.advertisement.mints.joined(separator: ", ")))"
                )
            }
            if let asked = order.seconds, asked > rate.maxSeconds {
                // Paying for more would buy nothing: the worker caps the budget and the rest comes back minus fees.
                throw ClientError.workerMismatch(
                    "worker \(offer.advertisement.name) sells at most \(rate.maxSeconds) s per job; ask for --seconds \(rate.maxSeconds) or less"
                )
            }
            let ppk = try await inputFeePpk(wallet)
            let seconds = order.seconds ?? (order.budgetSat == nil ? min(JobOrder.defaultSeconds, rate.maxSeconds) : nil)
            if let seconds, rate.minSeconds > seconds {
                // Paying for its minimum would buy more time than asked for: a worker's
                // `min_seconds` must never raise what a job costs above what the user chose.
                throw ClientError.workerMismatch(
                    "worker \(offer.advertisement.name) sells at least \(rate.minSeconds) s per job, more than the \(seconds) s asked for; nothing was paid"
                )
            }
            let amount =
                try seconds.map { try PaymentPlan.amount(forSeconds: $0, rate: rate, inputFeePpk: ppk) } ?? order.budgetSat!
            guard PaymentPlan.seconds(for: amount, rate: rate, inputFeePpk: ppk) > 0 else {
                let least = try PaymentPlan.amount(forSeconds: max(rate.minSeconds, 1), rate: rate, inputFeePpk: ppk)
                throw ClientError.workerMismatch(
                    "\(amount) sat does not buy worker \(offer.advertisement.name)'s minimum of \(max(rate.minSeconds, 1)) s after mint fees; pay at least \(least) sat"
                )
            }
            if let cap = order.maxSat, amount > cap {
                throw ClientError.workerMismatch(
                    "worker \(offer.advertisement.name)'s price makes this job \(amount) sat (mint fees included), over the cap of \(cap) sat; nothing was paid"
                )
            }
            if !lockToWorker, offer.advertisement.earlyAdmission == true,
                let ready = await reserve?.take(worker: workerKey, amount: amount)
            {
                // Locked to this worker after an earlier call: it starts the job
                // before its own swap, and this call made none.
                return (ready.token, ready.amount, ready.fee, nil, seconds)
            }
            let sent: Sent
            do {
                // Proofs already held in the right amounts leave without a swap (no mint
                // round trip, no fee); a locked token is always made by a swap.
                if !lockToWorker, let held = try await wallet.sendHeld(amount) {
                    sent = held
                } else {
                    sent = try await wallet.send(amount, lockTo: lockToWorker ? workerKey.evenPublicKey : nil)
                }
            } catch WalletError.insufficientFunds(let needed, let available) {
                throw ClientError.insufficientFunds(needed: needed, available: available)
            } catch let e as WalletError {
                throw ClientError.wallet(e)
            }
            return (sent.token, sent.amount, sent.fee, lockToWorker ? nil : sent.token, seconds)
        }
    }

    /// The fee per proof (ppk) of the keyset our wallet's tokens come from:
    /// the active `sat` keyset with the lowest fee, as the wallet picks it.
    /// Read from the mint at most once a minute (`Wallet.keysets(maxAge:)`).
    public func inputFeePpk(_ wallet: Wallet) async throws -> UInt64 {
        do { return try await wallet.activeInputFeePpk(maxAge: Self.keysetMaxAge) } catch let e as WalletError {
            throw ClientError.wallet(e)
        }
    }

    /// Redeems the journaled payment of `jobID` back into the wallet (after
    /// a rejection or silence). Returns what came back, nil when there was
    /// nothing we could reclaim. The journal forgets the token only once
    /// the wallet holds the money, or the mint says it is spent.
    @discardableResult
    public func reclaim(_ jobID: String) async throws -> Amount? {
        guard let wallet, let token = journal.load(jobID)?.reclaimableToken else { return nil }
        do {
            let received = try await wallet.receive(token)
            try journal.update(jobID) {
                $0.reclaimableToken = nil
                $0.note = "payment reclaimed: \(received.received) sat"
                $0.returnedSat = ($0.returnedSat ?? 0) + received.received.value
            }
            return received.received
        } catch WalletError.mint(.alreadySpent) {
            try journal.update(jobID) {
                $0.reclaimableToken = nil; $0.note = "payment already spent (taken by the worker)"
            }
            throw ClientError.paymentTaken
        }
    }
}
