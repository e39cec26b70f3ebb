import Cashu
import CashuWallet
import Foundation

/// A `MintConnector` in front of a real mint that misbehaves on cue, for
/// the money tests: each request kind has a queue of faults, used one per
/// request in order; an empty queue forwards normally. Hooks run before a
/// request goes out, so a test can act "while the request is in flight"
/// (a client spending the same token elsewhere, another wallet recovering).
public final class FaultyMint: MintConnector, @unchecked Sendable {
    public enum Request: String, Sendable, CaseIterable {
        case info, keysets, keys, swap, mintQuote, mintQuoteState, mint, meltQuote, meltQuoteState, melt, checkState, restore
    }

    public enum Fault: Sendable {
        /// The mint acts; its answer is lost (a dropped connection).
        case loseAnswer
        /// Refused with this HTTP status before reaching the mint (a proxy's 502/503).
        case refuseUnsent(status: Int)
        /// The mint acts; the 2xx answer cannot be read.
        case unreadableAnswer
        /// The mint acts; one signature's DLEQ proof is corrupted in the answer.
        case breakDLEQ
        /// Held this long before it is forwarded (a request still queued on its way).
        case hold(Duration)
        /// Held this long, then answered with `error` as if the mint had
        /// refused; the mint never sees the request.
        case refuseAfter(Duration, MintError)
    }

    public let inner: MintClient
    private let lock = NSLock()
    private var plan: [Request: [Fault]] = [:]
    private var always: [Request: Fault] = [:]
    private var hooks: [Request: @Sendable () async -> Void] = [:]
    private var counts: [Request: Int] = [:]

    public init(url: String) { inner = MintClient(url: url) }

    public var url: String { inner.url }

    /// Queues faults for the next requests of one kind, in order.
    public func fail(_ request: Request, with faults: Fault...) { lock.withLock { plan[request, default: []] += faults } }
    /// Every request of this kind gets `fault` (nil: none) until changed.
    public func failAlways(_ request: Request, with fault: Fault?) { lock.withLock { always[request] = fault } }
    /// Runs `hook` once, before the next request of this kind leaves.
    public func before(_ request: Request, _ hook: @escaping @Sendable () async -> Void) {
        lock.withLock { hooks[request] = hook }
    }
    /// How many requests of this kind were made.
    public func count(_ request: Request) -> Int { lock.withLock { counts[request, default: 0] } }
    public func reset() {
        lock.withLock {
            plan = [:]; always = [:]; hooks = [:]
        }
    }

    private func next(_ request: Request) -> (Fault?, (@Sendable () async -> Void)?) {
        lock.withLock {
            counts[request, default: 0] += 1
            let hook = hooks.removeValue(forKey: request)
            if var queue = plan[request], !queue.isEmpty {
                let fault = queue.removeFirst()
                plan[request] = queue
                return (fault, hook)
            }
            return (always[request], hook)
        }
    }

    /// Applies the fault planned for this request around `forward`.
    private func run<T: Sendable>(
        _ request: Request, breaking: (@Sendable (T) -> T)? = nil,
        _ forward: @Sendable () async throws(MintError) -> T
    ) async throws(MintError) -> T {
        let (fault, hook) = next(request)
        await hook?()
        switch fault {
        case nil: return try await forward()
        case .refuseUnsent(let status)?:
            throw .other(status: status, code: nil, detail: "injected: refused before reaching the mint")
        case .hold(let duration)?:
            try? await Task.sleep(for: duration)
            return try await forward()
        case .refuseAfter(let duration, let error)?:
            try? await Task.sleep(for: duration)
            throw error
        case .loseAnswer?:
            _ = try await forward()
            throw .transport("injected: the answer was lost")
        case .unreadableAnswer?:
            _ = try await forward()
            throw .unreadableAnswer("injected: the 2xx answer could not be read")
        case .breakDLEQ?:
            let answer = try await forward()
            return breaking?(answer) ?? answer
        }
    }

    private static func breakFirstDLEQ(_ signatures: [BlindSignature]) -> [BlindSignature] {
        var out = signatures
        if let i = out.indices.first(where: { out[$0].dleq != nil }), var dleq = out[i].dleq {
            // Swap e and s: both valid scalars, no longer a proof.
            (dleq.e, dleq.s) = (dleq.s, dleq.e)
            out[i].dleq = dleq
        }
        return out
    }

    public func info() async throws(MintError) -> MintInfo {
        try await run(.info) { () throws(MintError) in try await inner.info() }
    }
    public func keysets() async throws(MintError) -> [KeysetInfo] {
        try await run(.keysets) { () throws(MintError) in try await inner.keysets() }
    }
    public func keys(for id: KeysetID) async throws(MintError) -> Keyset {
        try await run(.keys) { () throws(MintError) in try await inner.keys(for: id) }
    }
    public func swap(inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature] {
        try await run(.swap, breaking: Self.breakFirstDLEQ) { () throws(MintError) in
            try await inner.swap(inputs: inputs, outputs: outputs)
        }
    }
    public func mintQuote(amount: Amount, unit: CurrencyUnit) async throws(MintError) -> MintQuote {
        try await run(.mintQuote) { () throws(MintError) in try await inner.mintQuote(amount: amount, unit: unit) }
    }
    public func mintQuoteState(_ quote: String) async throws(MintError) -> MintQuote {
        try await run(.mintQuoteState) { () throws(MintError) in try await inner.mintQuoteState(quote) }
    }
    public func mint(quote: String, outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature] {
        try await run(.mint, breaking: Self.breakFirstDLEQ) { () throws(MintError) in
            try await inner.mint(quote: quote, outputs: outputs)
        }
    }
    public func meltQuote(request: String, unit: CurrencyUnit) async throws(MintError) -> MeltQuote {
        try await run(.meltQuote) { () throws(MintError) in try await inner.meltQuote(request: request, unit: unit) }
    }
    public func meltQuoteState(_ quote: String) async throws(MintError) -> MeltQuote {
        try await run(.meltQuoteState) { () throws(MintError) in try await inner.meltQuoteState(quote) }
    }
    public func melt(quote: String, inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> MeltQuote {
        try await run(.melt) { () throws(MintError) in try await inner.melt(quote: quote, inputs: inputs, outputs: outputs) }
    }
    public func checkState(Ys: [String]) async throws(MintError) -> [ProofState] {
        try await run(.checkState) { () throws(MintError) in try await inner.checkState(Ys: Ys) }
    }
    public func restore(outputs: [BlindedMessage]) async throws(MintError) -> RestoreResponse {
        try await run(.restore) { () throws(MintError) in try await inner.restore(outputs: outputs) }
    }
}
