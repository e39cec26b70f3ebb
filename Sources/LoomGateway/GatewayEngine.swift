import Cashu
import CashuWallet
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
    let logger: Logger

    public init(
        client: JobClient, wallet: Wallet, configuration: GatewayConfiguration,
        logger: Logger = Logger(label: "loom.gateway")
    ) {
        self.client = client
        self.wallet = wallet
        self.configuration = configuration
        dispatch = Dispatch(maxConcurrent: configuration.maxConcurrent)
        self.logger = logger
    }

    /// The models on live offers that take our wallet's mint.
    public func models() async throws(GatewayError) -> [ModelListing] {
        ModelListing.list(try await offers(model: nil))
    }

    func offers(model: String?) async throws(GatewayError) -> [WorkerOffer] {
        do {
            return try await client.directory.offers(WorkerFilter(model: model, mint: wallet.mint.url), timeout: .seconds(10))
        } catch {
            throw .workerFailed("cannot read the workers' offers: \(error)")
        }
    }

    /// Runs one call to its end. `onDelta` gets live text as it comes (for a
    /// `stream` call: the worker's kind-20100 chunks). `pinned` (hex keys) overrides
    /// the configuration's pinned workers for this call.
    public func perform(
        _ request: OpenAIRequest, pinned: [String]? = nil, onDelta: @escaping @Sendable (CallDelta) async -> Void = { _ in }
    ) async throws(GatewayError) -> CallResult {
        await dispatch.enter()
        let result: Result<CallResult, GatewayError>
        do {
            result = .success(try await attempts(request, pinned: pinned ?? configuration.pinnedWorkers, onDelta: onDelta))
        } catch let error as GatewayError {
            result = .failure(error)
        } catch {
            result = .failure(.workerFailed("\(error)"))
        }
        await dispatch.leave()
        return try result.get()
    }

    func attempts(
        _ request: OpenAIRequest, pinned: [String]?, onDelta: @escaping @Sendable (CallDelta) async -> Void
    ) async throws(GatewayError) -> CallResult {
        let offers = try await self.offers(model: request.model)
        var tried = Set<String>()
        var spent: Int64 = 0
        var refusals: [String] = []
        for _ in 0..<max(configuration.maxAttempts, 1) {
            guard let offer = await dispatch.reserve(offers, model: request.model, pinned: pinned, tried: tried) else { break }
            tried.insert(offer.worker)
            let attempt = await self.attempt(request, at: offer, onDelta: onDelta)
            await dispatch.release(offer.worker)
            spent += attempt.spent
            switch attempt.verdict {
            case .answered(let text):
                guard let outcome = attempt.outcome else { throw .workerFailed("an answer without a job outcome") }
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
                    costSat: UInt64(max(spent, 0)), chargedSat: outcome.bill?.chargedSat.value ?? 0,
                    attempts: tried.count)
                logger.info(
                    "call answered",
                    metadata: [
                        "job": "\(result.jobID)", "worker": "\(result.worker)", "cost_sat": "\(result.costSat)",
                        "attempts": "\(result.attempts)",
                    ])
                return result
            case .tryNext(let why):
                logger.notice("trying the next worker", metadata: ["model": "\(request.model)", "why": "\(why)"])
                refusals.append(why)
            case .failed(let error):
                throw error
            }
        }
        if tried.isEmpty {
            if let pinned {
                throw .modelNotFound(
                    "no pinned worker (\(pinned.map { String($0.prefix(12)) }.joined(separator: ", "))) has a live offer for model \"\(request.model)\" taking ecash from \(wallet.mint.url)"
                )
            }
            throw .modelNotFound(
                "no live worker serves model \"\(request.model)\" and takes ecash from \(wallet.mint.url); `GET /v1/models` lists what is offered"
            )
        }
        throw .workersBusy(
            "no worker took the call after \(tried.count) tried (payments reclaimed): \(refusals.joined(separator: "; "))")
    }
}
