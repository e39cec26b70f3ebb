import Foundation
import Nostr
import NostrRelay

extension Doctor {
    /// The whitelist as the worker will see it at start: the file's entries
    /// and every followed list found on the relays.
    func checkWhitelist(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        guard configuration.whitelistEnabled else {
            return [.warning("whitelist", "WHITELIST_ENABLED=false", "the worker serves every key that pays",
                             fix: "remove WHITELIST_ENABLED=false to serve only listed keys")]
        }
        var findings: [DoctorFinding] = []
        var lists = configuration.whitelistLists
        var keys = 0
        if let file = configuration.whitelistFile {
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                        .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                    if line.isEmpty { continue }
                    if line.hasPrefix("naddr1") { lists.append(line); continue }
                    if (try? NIP19.publicKey(from: line)) != nil { keys += 1; continue }
                    findings.append(.problem("whitelist", "\(file.lastPathComponent):\(number + 1)",
                                             "\"\(line.prefix(20))…\" is not an npub, hex key or naddr",
                                             fix: "fix or remove that line"))
                }
                findings.append(.ok("whitelist", file.path, "\(keys) key(s) listed directly"))
            } else {
                findings.append(.warning("whitelist", file.path, "no whitelist file",
                                         fix: "create it with one npub per line, or list naddrs in WHITELIST"))
            }
        }
        for naddr in lists {
            findings.append(await checkList(naddr, relays: configuration.relays))
        }
        if keys == 0 && lists.isEmpty {
            findings.append(.problem("whitelist", "whitelist", "on, but nobody is on it: every request will be refused",
                                     fix: "add npubs to the whitelist file, list naddrs in WHITELIST, or set WHITELIST_ENABLED=false"))
        }
        return findings
    }

    func checkList(_ naddr: String, relays: [String]) async -> DoctorFinding {
        guard case .naddr(let identifier, let author, let kind, let hints)? = try? NIP19Entity.decode(naddr) else {
            return .problem("whitelist", String(naddr.prefix(24)) + "…", "not a valid naddr", fix: "copy the naddr `loom whitelist publish` printed")
        }
        let pool: RelayPool
        do { pool = try RelayPool(urls: Array(Set(relays + hints))) } catch {
            return .problem("whitelist", identifier, "\(error)", fix: "check NOSTR_RELAYS")
        }
        await pool.connect()
        let filter = Filter(authors: [author.hex], kinds: [kind], tags: ["d": [identifier]])
        let subscription = pool.subscribe([filter])
        var newest: Event?
        var ended = 0
        let deadline = ContinuousClock.now + timeout
        let watchdog = Task {
            try? await Task.sleep(until: deadline)
            subscription.cancel()
        }
        for await item in subscription {
            switch item {
            case .event(let event, _):
                if event.createdAt > (newest?.createdAt ?? .min) { newest = event }
            case .endOfStoredEvents, .closed:
                ended += 1
            }
            if ended == pool.connections.count { break }
        }
        watchdog.cancel()
        subscription.cancel()
        await pool.close()
        guard let newest else {
            return .problem("whitelist", "list \"\(identifier)\"", "not found on any relay",
                            fix: "publish it with `loom whitelist publish \(identifier)` or add a relay that has it")
        }
        let count = newest.tags.filter { $0.first == "p" }.count
        return .ok("whitelist", "list \"\(identifier)\"", "found, \(count) public key(s)")
    }
}
