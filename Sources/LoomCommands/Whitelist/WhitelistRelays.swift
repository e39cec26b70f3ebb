import Foundation
import LoomWorker
import Nostr
import NostrRelay
import Secp256k1

/// The relay side of `loom whitelist`: fetch the stored versions of lists,
/// and publish an edit to every relay, waiting for each (a command that
/// returned on the first OK could exit before the others got the event).
struct WhitelistRelays {
    let pool: RelayPool
    let timeout: Duration
    /// Where a relay that did not answer or refused is named.
    let console: Console

    init(_ options: WhitelistCommand.RelayOptions, _ console: Console) async throws {
        let configuration = RelayConfiguration(publishTimeout: options.duration)
        pool = try RelayPool(urls: try options.urls(), configuration: configuration)
        timeout = options.duration
        self.console = console
        await pool.connect()
    }

    func close() async { await pool.close() }

    /// Stored events matching `filter`, verified and each once. Fails when no
    /// relay finished sending them: an empty answer from relays we never
    /// reached must not read as "the list does not exist". A relay that
    /// cannot be reached is not waited for (`RelayPool.fetchStored`).
    func fetch(_ filter: Filter) async throws -> [Event] {
        let read = await pool.fetchStored([filter], timeout: timeout)
        for (relay, reason) in read.closed.sorted(by: { $0.key < $1.key }) {
            console.warn("warning: \(relay) closed the query: \(reason)")
        }
        guard !read.ended.isEmpty else {
            throw CLIError.whitelist(
                "no relay answered (\(pool.urls.joined(separator: ", "))); check the URL and that the relay is up")
        }
        for relay in read.relays.subtracting(read.ended).subtracting(read.closed.keys).sorted() {
            console.warn("warning: \(relay) did not answer; its copy of the list was not read")
        }
        return read.events.filter { $0.isValid && filter.matches($0) }
    }

    /// The newest version of the list at `address` (NIP-01: latest
    /// `created_at`, lowest id on a tie), or nil when no relay has it.
    func newest(_ address: ListAddress) async throws -> Event? {
        try await fetch(address.filter).filter(address.matches).max { a, b in
            a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id > b.id
        }
    }

    /// Publishes to every relay; succeeds when at least one accepted.
    @discardableResult
    func publish(_ event: Event) async throws -> [String] {
        let timeout = self.timeout
        let outcomes = await withTaskGroup(of: (String, RelayError?).self) { group in
            for connection in pool.connections {
                group.addTask {
                    do throws(RelayError) {
                        _ = try await connection.publish(event, timeout: timeout)
                        return (connection.url, nil)
                    } catch {
                        return (connection.url, error)
                    }
                }
            }
            return await group.reduce(into: [(String, RelayError?)]()) { $0.append($1) }
        }
        let accepted = outcomes.filter { $0.1 == nil }.map(\.0).sorted()
        for case let (_, error?) in outcomes { console.warn("warning: \(error)") }
        guard !accepted.isEmpty else {
            throw CLIError.whitelist(
                "no relay accepted the list: "
                    + outcomes.compactMap { $0.1?.description }.joined(separator: "; "))
        }
        return accepted
    }

    /// One of the curator's own lists: the curator key, the list's address and
    /// the relays, closed (and awaited) once `body` is done, whatever its end.
    static func withCuratorList<T>(
        _ name: String, key: KeyOptions, relay: WhitelistCommand.RelayOptions, _ console: Console,
        _ body: (SecretKey, ListAddress, WhitelistRelays) async throws -> T
    ) async throws -> T {
        let curator = try key.secretKey(console)
        let address = ListAddress(author: curator.xOnlyPublicKey, identifier: name)
        let relays = try await WhitelistRelays(relay, console)
        do {
            let value = try await body(curator, address, relays)
            await relays.close()
            return value
        } catch {
            await relays.close()
            throw error
        }
    }
}
