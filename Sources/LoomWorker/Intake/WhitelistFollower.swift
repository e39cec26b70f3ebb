import Foundation
import Nostr
import NostrRelay
import ServiceLifecycle

/// The whitelist kept current while the worker serves: one of the worker's
/// services (`WorkerService`), started before the worker, whose access
/// policy it feeds, and stopped after it.
public struct WhitelistFollower: Service, CustomStringConvertible {
    public let whitelist: Whitelist
    public let pool: RelayPool

    public init(whitelist: Whitelist, pool: RelayPool) {
        self.whitelist = whitelist
        self.pool = pool
    }

    /// How the service group's log names it.
    public var description: String { "WhitelistFollower" }

    public func run() async {
        await cancelWhenGracefulShutdown { [whitelist, pool] in await whitelist.run(pool: pool) }
    }
}

extension Whitelist {
    /// Keeps the whitelist current until cancelled: re-reads the file when it
    /// changes and follows every list on the relays of `pool`. Call it once
    /// per whitelist (it is the only reader of the list-change signal).
    ///
    /// The file is polled (one `stat` every `pollInterval`) rather than
    /// watched with inotify/kqueue: polling is the same code on Linux and
    /// macOS, survives editors that save by writing a new file and renaming
    /// it over the old one (which detaches a watch), and costs nothing at a
    /// couple of seconds, a delay no curator notices.
    public func run(pool: RelayPool, pollInterval: Duration = .seconds(2)) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.pollFile(every: pollInterval) }
            group.addTask { await self.follow(pool) }
            await group.waitForAll()
        }
    }

    func pollFile(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            reloadFileIfChanged()
        }
    }

    /// One subscription for all followed lists, replaced whenever the set of
    /// lists changes (a naddr added to or removed from the file). The relay
    /// connections resubscribe on their own after a reconnect.
    func follow(_ pool: RelayPool) async {
        var changes = addressChanges.makeAsyncIterator()
        while !Task.isCancelled {
            let addresses = addresses
            guard !addresses.isEmpty else {
                // Nothing to follow until the file names a list.
                guard await changes.next() != nil else { return }
                continue
            }
            logger.info("following whitelist lists", metadata: ["lists": "\(addresses.count)"])
            let subscription = pool.subscribe(addresses.map(\.filter))
            // The reader lives as long as this set of lists.
            let changed = await withDiscardingTaskGroup { group in
                group.addTask {
                    for await item in subscription {
                        if case .event(let event, _) = item { self.apply(event) }
                    }
                }
                let changed = await changes.next() != nil
                subscription.cancel()
                group.cancelAll()
                return changed
            }
            if !changed { return }
        }
    }
}
