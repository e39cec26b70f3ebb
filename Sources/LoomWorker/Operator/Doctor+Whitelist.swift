import Foundation
import Nostr
import NostrRelay

extension Doctor {
    /// The whitelist as the worker will see it at start: the file's entries
    /// (read by the same `WhitelistFile` the worker uses) and every followed
    /// list found on the relays.
    func checkWhitelist(_ configuration: WorkerConfiguration) async -> [DoctorFinding] {
        guard configuration.whitelistEnabled else {
            return [
                .warning(
                    "whitelist", "WHITELIST_ENABLED=false", "the worker serves every key that pays",
                    fix: "remove WHITELIST_ENABLED=false to serve only listed keys")
            ]
        }
        var findings: [DoctorFinding] = []
        var lists: [ListAddress] = []
        for naddr in configuration.whitelistLists {
            do { lists.append(try ListAddress(naddr: naddr)) } catch {
                findings.append(
                    .problem("whitelist", "WHITELIST", error.description, fix: "copy the naddr `loom whitelist publish` printed"))
            }
        }
        var keys = 0
        if let file = configuration.whitelistFile {
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                let parsed = WhitelistFile.parse(text)
                keys = parsed.pubkeys.count
                lists += parsed.lists.filter { !lists.contains($0) }
                for problem in parsed.problems {
                    findings.append(
                        .problem(
                            "whitelist", "\(file.lastPathComponent) line \(problem.line)", problem.reason,
                            fix: "fix or remove that line"))
                }
                findings.append(.ok("whitelist", file.path, "\(keys) key(s) listed directly"))
            } else {
                findings.append(
                    .warning(
                        "whitelist", file.path, "no whitelist file",
                        fix: "create it with one npub per line, or list naddrs in WHITELIST"))
            }
        }
        for list in lists {
            findings.append(await checkList(list, relays: configuration.relays))
        }
        if keys == 0 && lists.isEmpty {
            findings.append(
                .problem(
                    "whitelist", "whitelist", "on, but nobody is on it: every request will be refused",
                    fix: "add npubs to the whitelist file, list naddrs in WHITELIST, or set WHITELIST_ENABLED=false"))
        }
        return findings
    }

    func checkList(_ list: ListAddress, relays: [String]) async -> DoctorFinding {
        let pool: RelayPool
        do { pool = try RelayPool(urls: relays) } catch {
            return .problem("whitelist", list.identifier, "\(error)", fix: "check NOSTR_RELAYS")
        }
        await pool.connect()
        // Ends when every relay has answered or is down, so a dead relay does not cost the whole timeout.
        let read = await pool.fetchStored([list.filter], timeout: timeout)
        await pool.close()
        let newest = read.events.filter { list.matches($0) }.max { $0.createdAt < $1.createdAt }
        if newest == nil, read.answered.isEmpty {
            return .problem(
                "whitelist", "list \"\(list.identifier)\"", "no relay answered (\(relays.joined(separator: ", ")))",
                fix: "check NOSTR_RELAYS and that the relays are up")
        }
        guard let newest else {
            return .problem(
                "whitelist", "list \"\(list.identifier)\"", "not found on any relay",
                fix: "publish it with `loom whitelist publish \(list.identifier)` or add a relay that has it")
        }
        let count = newest.tags.filter { $0.first == "p" }.count
        return .ok("whitelist", "list \"\(list.identifier)\"", "found, \(count) public key(s)")
    }
}
