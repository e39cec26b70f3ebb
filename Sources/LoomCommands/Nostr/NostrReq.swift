import ArgumentParser
import Foundation
import Nostr
import NostrRelay

extension NostrCommand {
    struct Req: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "req",
            abstract: "Query relays; print matching events as JSON lines (verified, each once).",
            discussion: "Stops when every relay has sent its stored events (EOSE), or follows new ones with --live."
        )
        @Option(name: .customLong("relay"), help: "Relay URL (repeatable).") var relays: [String]
        @Option(name: .customLong("kind"), help: "Event kind (repeatable).") var kinds: [Int] = []
        @Option(name: .customLong("author"), help: "Author npub or hex (repeatable).") var authors: [String] = []
        @Option(name: .customLong("id"), help: "Event id, hex (repeatable).") var ids: [String] = []
        @Option(name: .customLong("tag"), help: "Tag filter name=value, e.g. p=<hex> or d=job-1 (repeatable).")
        var tags: [String] = []
        @Option(help: "Only events at or after this Unix time.") var since: Int64?
        @Option(help: "Only events at or before this Unix time.") var until: Int64?
        @Option(help: "At most this many stored events per relay.") var limit: Int?
        @Flag(help: "Keep printing new events after the stored ones.") var live = false
        @Option(help: "Seconds to wait for the stored events.") var timeout: Double = 10

        func validate() throws {
            if relays.isEmpty { throw ValidationError("give at least one --relay") }
            if kinds.isEmpty && authors.isEmpty && ids.isEmpty && tags.isEmpty {
                throw ValidationError(
                    "give --kind, --author, --id or --tag: relays answer a filter with only a limit with nothing")
            }
        }

        func filter() throws -> Filter {
            var tagFilter: [String: [String]] = [:]
            for t in tags {
                let parts = try SignEvent.parseTag(t)
                guard parts.count == 2, parts[0].count == 1 else {
                    throw ValidationError("--tag \(t): expected a single-letter name=value")
                }
                tagFilter[parts[0], default: []].append(parts[1])
            }
            return Filter(
                ids: ids.isEmpty ? nil : ids,
                authors: authors.isEmpty ? nil : try authors.map { try KeyText.publicKey($0, option: "--author").hex },
                kinds: kinds.isEmpty ? nil : kinds, tags: tagFilter, since: since, until: until, limit: limit)
        }

        func run(_ console: Console) async throws {
            let f = try filter()
            let pool = try RelayPool(urls: relays)
            await pool.connect()
            let subscription = pool.subscribe([f])
            var pendingEOSE = Set(pool.urls)
            let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
            // A watchdog ends the wait for stored events at the deadline.
            let watchdog = Task {
                try await Task.sleep(until: deadline)
                if !live { subscription.cancel() }
            }
            for await item in subscription {
                switch item {
                case .event(let event, _):
                    console.printNow(event.json)
                case .endOfStoredEvents(let relay):
                    pendingEOSE.remove(relay)
                    if pendingEOSE.isEmpty && !live { subscription.cancel() }
                case .closed(let relay, let reason):
                    console.warn("\(relay) closed the subscription: \(reason)")
                    pendingEOSE.remove(relay)
                    if pendingEOSE.isEmpty && !live { subscription.cancel() }
                }
            }
            watchdog.cancel()
            await pool.close()
            if !pendingEOSE.isEmpty && !live {
                console.warn("no end of stored events within \(timeout) s from: \(pendingEOSE.sorted().joined(separator: ", "))")
                if pendingEOSE.count == relays.count { throw CLIError.exit(.failure) }
            }
        }
    }
}
