import Foundation
import Logging
import Nostr
import NostrRelay
import Secp256k1

/// Gathers what a subscription yields in the background so a test can wait
/// for a condition with a deadline instead of blocking on `next()`.
final class Collected<Item: Sendable>: Sendable {
    private let inbox = Inbox<Item>()
    private let task: Task<Void, Never>

    init(_ feed: @escaping @Sendable (Inbox<Item>) async -> Void) {
        let inbox = self.inbox
        task = Task { await feed(inbox) }
    }

    deinit { task.cancel() }

    var items: [Item] { get async { await inbox.items } }

    /// Waits until `condition` holds for everything received so far.
    @discardableResult
    func wait(for what: String, timeout: Duration = .seconds(60), _ condition: @Sendable ([Item]) -> Bool) async throws -> [Item]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let items = await inbox.items
            if condition(items) { return items }
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what, seen: items.count) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func cancel() { task.cancel() }
}

actor Inbox<Item: Sendable> {
    var items: [Item] = []
    func append(_ item: Item) { items.append(item) }
}

extension Collected where Item == SubscriptionItem {
    convenience init(_ subscription: Subscription) {
        self.init { inbox in for await item in subscription { await inbox.append(item) } }
    }
}

extension Collected where Item == PoolItem {
    convenience init(_ subscription: PoolSubscription) {
        self.init { inbox in for await item in subscription { await inbox.append(item) } }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    let seen: Int
    var description: String { "timed out waiting for \(what) (\(seen) items so far)" }
}

extension SubscriptionItem {
    var event: Event? { if case .event(let e) = self { e } else { nil } }
}

extension PoolItem {
    var event: Event? { if case .event(let e, _) = self { e } else { nil } }
}

/// Quick reconnection so a restart test does not wait on a 30 s backoff cap.
/// The publish timeout is generous: on a loaded CI machine a restarted
/// nostr-relay can take many seconds to answer, and nostr-relay also holds
/// every message on a socket for 2, 4, 8… seconds after each refusal there.
let testConfiguration = RelayConfiguration(
    publishTimeout: .seconds(60),
    backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1))
)

func connection(_ url: String, _ configuration: RelayConfiguration = testConfiguration) async throws -> RelayConnection {
    var logger = Logger(label: "test.relay")
    logger.logLevel = ProcessInfo.processInfo.environment["LOOM_TEST_LOG"] == nil ? .warning : .debug
    let connection = try RelayConnection(url: url, configuration: configuration, logger: logger)
    await connection.connect()
    return connection
}

func note(_ text: String, key: SecretKey, kind: Int = 1, tags: [[String]] = []) throws -> Event {
    try Event.sign(kind: kind, content: text, tags: tags, with: key)
}

func outcome<T>(_ body: () async throws(RelayError) -> T) async -> Result<T, RelayError> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// Polls `condition` until it holds or the deadline passes.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what, seen: 0) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
