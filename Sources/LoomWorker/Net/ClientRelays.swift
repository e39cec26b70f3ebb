import AddressSafety
import Foundation
import Logging
import NIOConcurrencyHelpers
import Nostr
import NostrRelay

/// The relays a request's `relays` tag names, besides the worker's own: the
/// end of a paid job (final status and result, the receipt with the change)
/// goes to up to three of them, a refusal to the first one only. Each
/// delivery is one short connection, and at most `maxConcurrent` run at
/// once, so a client can neither make the worker hold sockets open nor make
/// it fan out connections for free.
///
/// A request must not aim the worker at its own network (`DialCheck`),
/// unless the worker itself runs on local relays (development, tests).
/// swift-websocket takes the Host header and TLS name from the URL, so the
/// connection cannot be pinned to the checked address (DNS rebinding, DialCheck).
final class ClientRelays: Sendable {
    /// At most this many of a request's relays get the end of a paid job.
    static let limit = 3

    let workerRelays: [String]
    let resolver: any HostResolver
    let logger: Logger
    let slots: DeliverySlots
    /// The worker's own relays are on loopback or a private network: then the
    /// clients' may be too (it is a development or test setup).
    let localAllowed: Bool

    init(workerRelays: [String], resolver: any HostResolver = SystemResolver(), maxConcurrent: Int = 4, logger: Logger) {
        self.workerRelays = workerRelays
        self.resolver = resolver
        self.logger = logger
        slots = DeliverySlots(capacity: maxConcurrent)
        localAllowed = DialCheck.anyLocal(workerRelays)
    }

    /// The end of a paid job: waits (in the background) for a free slot,
    /// then sends `events` to up to `limit` of the relays. These deliveries
    /// stay unstructured: best effort after the job has ended, bounded in
    /// number by `slots` and in time by the relay timeouts, owned by no job.
    func deliverJobEnd(_ events: [Event], to requested: [String]) {
        guard !events.isEmpty, !requested.isEmpty else { return }
        Task {
            await slots.acquire()
            await send(events, to: requested, relays: Self.limit)
            slots.release()
        }
    }

    /// A refusal: the first usable relay only, and only if a slot is free
    /// now. The worker's own relays have the status either way. Returns
    /// whether a delivery started.
    @discardableResult
    func deliverRefusal(_ events: [Event], to requested: [String]) -> Bool {
        guard !events.isEmpty, !requested.isEmpty else { return false }
        guard slots.tryAcquire() else {
            logger.debug("client relay skipped: every delivery slot is busy")
            return false
        }
        Task {
            await send(events, to: requested, relays: 1)
            slots.release()
        }
        return true
    }

    private func send(_ events: [Event], to requested: [String], relays: Int) async {
        let urls = await targets(requested, limit: relays)
        guard !urls.isEmpty, let pool = try? RelayPool(urls: urls, logger: logger) else { return }
        await pool.connect()
        for event in events {
            do { _ = try await pool.publish(event, timeout: .seconds(10)) } catch {
                logger.debug("client relay did not take the event", metadata: ["id": "\(event.id)", "error": "\(error)"])
            }
        }
        await pool.close()
    }

    /// The URLs worth dialling, in the request's order, at most `limit`:
    /// ws/wss, not already the worker's, and every address public.
    func targets(_ requested: [String], limit: Int = limit) async -> [String] {
        let mine = Set(workerRelays.map(Self.normalized))
        var seen = Set<String>()
        var out: [String] = []
        for url in requested where out.count < limit {
            let key = Self.normalized(url)
            guard !mine.contains(key), seen.insert(key).inserted else { continue }
            if let why = await refusal(url) {
                logger.debug("client relay refused", metadata: ["relay": "\(url)", "reason": "\(why)"])
                continue
            }
            out.append(url)
        }
        return out
    }

    /// Why the worker may not dial `url` for a client; nil when it may.
    func refusal(_ url: String) async -> String? {
        await DialCheck(resolver: resolver, allowLocal: localAllowed).refusal(url, schemes: ["ws", "wss"])
    }

    static func normalized(_ url: String) -> String {
        var u = url.lowercased()
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }
}

/// A counting semaphore for client-relay deliveries: `tryAcquire` for
/// refusals (skipped when none is free), `acquire` for the ends of paid jobs
/// (they wait; there are as many as jobs, so the wait is bounded).
final class DeliverySlots: Sendable {
    private struct State {
        var used = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    var inUse: Int { state.withLockedValue { $0.used } }

    func tryAcquire() -> Bool {
        state.withLockedValue {
            guard $0.used < capacity else { return false }
            $0.used += 1
            return true
        }
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLockedValue {
                guard $0.used < capacity else {
                    $0.waiting.append(continuation)
                    return false
                }
                $0.used += 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLockedValue {
            if $0.waiting.isEmpty {
                $0.used -= 1
                return nil
            }
            return $0.waiting.removeFirst()
        }
        next?.resume()
    }
}
