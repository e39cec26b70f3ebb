import ArgumentParser
import Foundation
import Nostr
import NostrRelay
import Secp256k1

struct NostrEvent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Build and sign an event; print it as JSON, and publish it when --relay is given.",
        discussion: """
            Tags: --tag '["e","<id>","wss://relay","root"]' (a JSON array) or --tag name=value.
            Exit code 1 when no relay accepted the event (each relay's reason goes to stderr).
            """
    )
    @OptionGroup var key: KeyOptions
    @Option(help: "Event kind (0…65535).") var kind: Int
    @Option(help: "Content; `-` reads it from stdin.") var content: String = ""
    @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
    @Option(help: "created_at (Unix seconds); default now.") var createdAt: Int64?
    @Option(name: .customLong("relay"), help: "Publish to this relay (repeatable).") var relays: [String] = []
    @Option(help: "Seconds to wait for a relay's OK.") var timeout: Double = 10

    func validate() throws {
        guard (0...65535).contains(kind) else { throw ValidationError("--kind must be in 0…65535") }
    }

    func run() async throws {
        let sk = try key.secretKey()
        let parsedTags = try tags.map(Self.parseTag)
        let text = content == "-" ? Console.readStdin() : content
        let event = try Event.sign(kind: kind, content: text, tags: parsedTags, createdAt: createdAt ?? Event.now(), with: sk)
        print(event.json)
        guard !relays.isEmpty else { return }
        let pool = try RelayPool(urls: relays)
        await pool.connect()
        defer { Task { await pool.close() } }
        do {
            let result = try await pool.publish(event, timeout: .milliseconds(Int64(timeout * 1000)))
            Console.warn("accepted by \(result.accepted.relay)" + (result.accepted.message.isEmpty ? "" : ": \(result.accepted.message)"))
            await pool.close()
        } catch {
            Console.warn("not published: \(error)")
            await pool.close()
            throw ExitCode(1)
        }
    }

    /// `["a","b",…]` or `name=value`.
    static func parseTag(_ s: String) throws -> [String] {
        if s.hasPrefix("[") {
            guard let tag = try? JSONDecoder().decode([String].self, from: Data(s.utf8)), !tag.isEmpty else {
                throw ValidationError("--tag \(s): expected a non-empty JSON array of strings")
            }
            return tag
        }
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw ValidationError("--tag \(s): expected name=value or a JSON array like [\"p\",\"<hex>\"]")
        }
        return [String(s[..<eq]), String(s[s.index(after: eq)...])]
    }
}

struct NostrReq: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "req",
        abstract: "Query relays; print matching events as JSON lines (verified, each once).",
        discussion: "Stops when every relay has sent its stored events (EOSE), or follows new ones with --live."
    )
    @Option(name: .customLong("relay"), help: "Relay URL (repeatable).") var relays: [String]
    @Option(name: .customLong("kind"), help: "Event kind (repeatable).") var kinds: [Int] = []
    @Option(name: .customLong("author"), help: "Author npub or hex (repeatable).") var authors: [String] = []
    @Option(name: .customLong("id"), help: "Event id, hex (repeatable).") var ids: [String] = []
    @Option(name: .customLong("tag"), help: "Tag filter name=value, e.g. p=<hex> or d=job-1 (repeatable).") var tags: [String] = []
    @Option(help: "Only events at or after this Unix time.") var since: Int64?
    @Option(help: "Only events at or before this Unix time.") var until: Int64?
    @Option(help: "At most this many stored events per relay.") var limit: Int?
    @Flag(help: "Keep printing new events after the stored ones.") var live = false
    @Option(help: "Seconds to wait for the stored events.") var timeout: Double = 10

    func validate() throws {
        if relays.isEmpty { throw ValidationError("give at least one --relay") }
        if kinds.isEmpty && authors.isEmpty && ids.isEmpty && tags.isEmpty {
            throw ValidationError("give --kind, --author, --id or --tag: relays answer a filter with only a limit with nothing")
        }
    }

    func filter() throws -> Filter {
        var tagFilter: [String: [String]] = [:]
        for t in tags {
            let parts = try NostrEvent.parseTag(t)
            guard parts.count == 2, parts[0].count == 1 else { throw ValidationError("--tag \(t): expected a single-letter name=value") }
            tagFilter[parts[0], default: []].append(parts[1])
        }
        return Filter(ids: ids.isEmpty ? nil : ids,
                      authors: authors.isEmpty ? nil : try authors.map { try parsePublicKey($0, option: "--author").hex },
                      kinds: kinds.isEmpty ? nil : kinds, tags: tagFilter, since: since, until: until, limit: limit)
    }

    func run() async throws {
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
                FileHandle.standardOutput.write(Data((event.json + "\n").utf8))
            case .endOfStoredEvents(let relay):
                pendingEOSE.remove(relay)
                if pendingEOSE.isEmpty && !live { subscription.cancel() }
            case .closed(let relay, let reason):
                Console.warn("\(relay) closed the subscription: \(reason)")
                pendingEOSE.remove(relay)
                if pendingEOSE.isEmpty && !live { subscription.cancel() }
            }
        }
        watchdog.cancel()
        await pool.close()
        if !pendingEOSE.isEmpty && !live {
            Console.warn("no end of stored events within \(timeout) s from: \(pendingEOSE.sorted().joined(separator: ", "))")
            if pendingEOSE.count == relays.count { throw ExitCode(1) }
        }
    }
}
