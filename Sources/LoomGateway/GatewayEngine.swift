import Cashu
import CashuWallet
import Foundation
import Logging
import LoomClient
import LoomProtocol

/// A call's answer and what it cost.
public struct CallResult: Sendable, Hashable {
    public var jobID: String
    public var worker: String
    public var text: String
    public var usage: OpenAIAnswer.Usage
    public var finishReason: String
    /// Everything the call took from the wallet, failed attempts included:
    /// payments and their mint fees, less change and reclaimed payments.
    public var costSat: UInt64
    /// What the answering worker charged (its bill).
    public var chargedSat: UInt64
    /// Workers tried, the answering one last.
    public var attempts: Int
}

/// A call that got no answer, and what it took from the wallet all the same
/// (failed attempts: fees, a payment a worker kept): `loom job batch --max-sat` counts it.
public struct CallFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var error: GatewayError
    public var spentSat: UInt64

    public init(_ error: GatewayError, spentSat: UInt64 = 0) {
        self.error = error
        self.spentSat = spentSat
    }

    public var description: String { error.description }
}

/// Something a running call reports before its result: text from the worker, live.
public struct CallDelta: Sendable, Hashable {
    public var jobID: String
    public var worker: String
    public var text: String
}

/// One paid call: choose a worker, pay for the budget, submit, follow, settle
/// the change; on a busy, closing or silent worker, reclaim and try the next.
/// Everything money-related is `JobClient`'s (journal, payment, settlement),
/// the same path `loom job submit` takes.
public struct GatewayEngine: Sendable {
    public let client: JobClient
    public let wallet: Wallet
    public let configuration: GatewayConfiguration
    let dispatch: Dispatch
    /// Each worker's record, from the client journal: who is avoided, who is new.
    public let records: WorkerRecords
    /// The live offers, one subscription for every call (`OfferBook`).
    public let book: OfferBook
    let keeper: DenominationKeeper
    let logger: Logger

    public init(
        client: JobClient, wallet: Wallet, configuration: GatewayConfiguration,
        logger: Logger = Logger(label: "loom.gateway")
    ) {
        self.client = client
        self.wallet = wallet
        self.configuration = configuration
        dispatch = Dispatch(maxConcurrent: configuration.maxConcurrent)
        records = WorkerRecords(journal: client.journal)
        book = OfferBook(pool: client.pool)
        keeper = DenominationKeeper(wallet: wallet, capSat: configuration.maxSatPerCall, logger: logger)
        self.logger = logger
    }

    /// Subscribes to the offers and readies the wallet's denominations, so the
    /// first call finds both in place. Calls work without it (a call starts them).
    public func warmUp() async {
        await book.start()
        await keeper.nudge()
        // Tokens locked before a restart are never reused, only reclaimed once they open.
        await client.reserve?.recover()
    }

    /// Waits up to `grace` for the calls still running (a streamed call runs on
    /// after its caller hung up, to settle its change) and returns how many
    /// were still running when it gave up: their jobs are in the journal for
    /// `loom job watch`.
    public func drain(grace: Duration) async -> Int {
        let deadline = ContinuousClock.now + grace
        while await dispatch.calls > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await dispatch.calls
    }

    /// The models on live offers that take our wallet's mint.
    public func models() async throws(GatewayError) -> [ModelListing] {
        ModelListing.list(try await offers(model: nil))
    }

    func offers(model: String?) async throws(GatewayError) -> [WorkerOffer] {
        do {
            await book.start()
            return try await book.offers(WorkerFilter(model: model, mint: wallet.mint.url), timeout: .seconds(10))
        } catch {
            throw .workerFailed("cannot read the workers' offers: \(error)")
        }
    }

    /// Runs one call to its end. `onDelta` gets live text as it comes (for a
    /// `stream` call: the worker's kind-20100 chunks). `pinned` (hex keys) overrides
    /// the configuration's pinned workers for this call.
    public func perform(
        _ request: OpenAIRequest, pinned: [String]? = nil, onDelta: @escaping @Sendable (CallDelta) async -> Void = { _ in }
    ) async throws(CallFailure) -> CallResult {
        await dispatch.enter()
        let result: Result<CallResult, CallFailure>
        do {
            result = .success(try await attempts(request, pinned: pinned ?? configuration.pinnedWorkers, onDelta: onDelta))
        } catch {
            result = .failure(error)
        }
        await dispatch.leave()
        // The next call's payment should find held proofs that fit, and a
        // token locked to the worker it will likely go to.
        await keeper.nudge()
        await client.reserve?.refill()
        return try result.get()
    }

    /// Milliseconds with two decimals, for the log.
    static func ms(_ d: Duration) -> String {
        let (s, atto) = d.components
        return String(format: "%.2f", Double(s) * 1000 + Double(atto) / 1e15)
    }

    func attempts(
        _ request: OpenAIRequest, pinned: [String]?, onDelta: @escaping @Sendable (CallDelta) async -> Void
    ) async throws(CallFailure) -> CallResult {
        let offers: [WorkerOffer]
        let ppk: UInt64
        let clock = ContinuousClock(), started = clock.now
        var offersRead = started
        do throws(GatewayError) {
            offers = try await self.offers(model: request.model)
            offersRead = clock.now
            do { ppk = try await client.inputFeePpk(wallet) } catch {
                throw GatewayError.workerFailed("the mint's fees could not be read: \(error)")
            }
        } catch {
            throw CallFailure(error)
        }
        let terms = CallTerms(
            maxTokens: request.maxTokens, inputFeePpk: ppk, maxSeconds: configuration.maxSecondsPerCall,
            capSat: configuration.maxSatPerCall)
        let (candidates, refused) = WorkerChoice.candidates(
            offers, model: request.model, terms: terms, standings: await records.standings())
        var tried = Set<String>()
        var spent: Int64 = 0
        var refusals = refused
        for _ in 0..<max(configuration.maxAttempts, 1) {
            guard var candidate = await dispatch.reserve(candidates, model: request.model, pinned: pinned, tried: tried)
            else { break }
            tried.insert(candidate.worker)
            // The cap is the call's, not each attempt's: what failed attempts kept
            // (fees, a payment a worker took) comes off what the next one may pay.
            if spent > 0 {
                let left = configuration.maxSatPerCall > UInt64(spent) ? configuration.maxSatPerCall - UInt64(spent) : 0
                do {
                    candidate.budget = try CallBudget.plan(
                        maxTokens: request.maxTokens, rate: candidate.offer.advertisement.pricing, inputFeePpk: ppk,
                        maxSeconds: configuration.maxSecondsPerCall, capSat: left)
                } catch {
                    await dispatch.release(candidate.worker)
                    refusals.append(
                        "\(candidate.worker.prefix(12)): \(error.message) (\(spent) sat of the call's cap already spent)")
                    throw CallFailure(
                        .overCallCap(
                            "the call's --max-sat-per-call \(configuration.maxSatPerCall) is spent by failed attempts: \(refusals.joined(separator: "; "))"
                        ), spentSat: UInt64(spent))
                }
            }
            let attempt = await self.attempt(request, at: candidate, started: started, onDelta: onDelta)
            await dispatch.release(candidate.worker)
            if let jobID = attempt.outcome?.jobID ?? attempt.jobID { await records.refresh(jobID: jobID) }
            spent += attempt.spent
            let cost = UInt64(max(spent, 0))
            switch attempt.verdict {
            case .answered(let text):
                guard let outcome = attempt.outcome else {
                    throw CallFailure(.workerFailed("an answer without a job outcome"), spentSat: cost)
                }
                let usage = outcome.usage.map {
                    OpenAIAnswer.Usage(promptTokens: $0.promptTokens, completionTokens: $0.completionTokens)
                }
                // No usage: the job was stopped at the end of the time bought, before the
                // backend's count. The worker's own token count (its last status) stands
                // in, and the answer was cut short: `length`.
                let result = CallResult(
                    jobID: outcome.jobID, worker: outcome.worker, text: text,
                    usage: usage
                        ?? OpenAIAnswer.Usage(promptTokens: 0, completionTokens: outcome.lastProgress?.tokens ?? 0),
                    finishReason: usage == nil
                        ? "length"
                        : OpenAIAnswer.finishReason(
                            completionTokens: usage?.completionTokens ?? 0, maxTokens: request.maxTokens),
                    costSat: cost, chargedSat: outcome.bill?.chargedSat.value ?? 0,
                    attempts: tried.count)
                var metadata: Logger.Metadata = [
                    "job": "\(result.jobID)", "worker": "\(result.worker)", "cost_sat": "\(result.costSat)",
                    "attempts": "\(result.attempts)", "offers_ms": "\(Self.ms(offersRead - started))",
                    "total_ms": "\(Self.ms(clock.now - started))",
                ]
                // The last attempt's steps (scripts/bench_gateway.sh prints their medians).
                if let spans = attempt.spans {
                    metadata["pay_ms"] = "\(Self.ms(spans.pay))"
                    metadata["seal_ms"] = "\(Self.ms(spans.seal))"
                    metadata["subscribe_ms"] = "\(Self.ms(spans.subscribe))"
                    metadata["publish_ms"] = "\(Self.ms(spans.publish))"
                }
                if let first = attempt.firstText { metadata["first_text_ms"] = "\(Self.ms(first))" }
                if let last = attempt.lastText { metadata["last_text_ms"] = "\(Self.ms(last))" }
                // After the result came: the change redeemed beside the outputs' download.
                if let settling = outcome.settling {
                    metadata["result_ms"] = "\(Self.ms(settling.began - started))"
                    metadata["download_ms"] = "\(Self.ms(settling.download))"
                    if let redeem = settling.redeem { metadata["redeem_ms"] = "\(Self.ms(redeem))" }
                }
                logger.info("call answered", metadata: metadata)
                return result
            case .tryNext(let why):
                logger.notice("trying the next worker", metadata: ["model": "\(request.model)", "why": "\(why)"])
                refusals.append(why)
            case .failed(let error):
                throw CallFailure(error, spentSat: cost)
            }
        }
        let cost = UInt64(max(spent, 0))
        guard tried.isEmpty else {
            throw CallFailure(
                .workersBusy(
                    "no worker took the call after \(tried.count) tried (payments reclaimed): \(refusals.joined(separator: "; "))"
                ),
                spentSat: cost)
        }
        let serving = offers.filter { $0.advertisement.models.contains(request.model) }
        if !serving.isEmpty, candidates.isEmpty {
            // Every worker for the model is over the call's caps, or avoided: say which and why.
            let overCap = serving.count == refused.filter { !$0.contains("is avoided") }.count
            let why = refused.joined(separator: "; ")
            throw CallFailure(overCap ? .overCallCap(why) : .workersBusy("no usable worker for \"\(request.model)\": \(why)"))
        }
        if let pinned {
            throw CallFailure(
                .modelNotFound(
                    "no pinned worker (\(pinned.map { String($0.prefix(12)) }.joined(separator: ", "))) has a usable live offer for model \"\(request.model)\" taking ecash from \(wallet.mint.url)"
                        + (refused.isEmpty ? "" : ": \(refused.joined(separator: "; "))")))
        }
        throw CallFailure(
            .modelNotFound(
                "no live worker serves model \"\(request.model)\" and takes ecash from \(wallet.mint.url); `GET /v1/models` lists what is offered"
            ))
    }
}
