import Foundation
import Logging
import Nostr
import NostrRelay

/// The relays a request's `relays` tag names, besides the worker's own:
/// the final status and the result (the receipt, with the change) are also
/// delivered there. Only the end of a job goes out this way, one short
/// connection per job, so a client cannot make the worker hold sockets open.
enum ClientRelays {
    /// At most this many of a request's relays are used.
    static let limit = 3

    /// The URLs worth dialling: ws/wss, not already the worker's, and no
    /// loopback or private address unless the worker itself runs on local
    /// relays (development, tests), so a request cannot aim the worker at
    /// services on its own network.
    static func targets(_ requested: [String], workerRelays: [String]) -> [String] {
        let mine = Set(workerRelays.map(normalized))
        let localAllowed = workerRelays.contains { isLocal(URL(string: $0)?.host) }
        var out: [String] = []
        for url in requested where out.count < limit {
            guard let parsed = URL(string: url), ["ws", "wss"].contains(parsed.scheme?.lowercased() ?? ""),
                  let host = parsed.host, !host.isEmpty else { continue }
            if mine.contains(normalized(url)) || out.contains(url) { continue }
            if isLocal(host), !localAllowed { continue }
            out.append(url)
        }
        return out
    }

    static func normalized(_ url: String) -> String {
        var u = url.lowercased()
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }

    /// Loopback, private (RFC 1918), link-local and `localhost` names.
    static func isLocal(_ host: String?) -> Bool {
        guard let host = host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { return false }
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") || host == "::1" { return true }
        if host.hasPrefix("fe80:") || host.hasPrefix("fc") || host.hasPrefix("fd") { return host.contains(":") }
        let parts = host.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { return false }
        switch (parts[0], parts[1]) {
        case (127, _), (10, _), (0, _), (192, 168), (169, 254): return true
        case (172, let b) where (16...31).contains(b): return true
        default: return false
        }
    }

    /// Publishes `events` to `urls`, best effort, and closes the connections.
    static func deliver(_ events: [Event], to urls: [String], logger: Logger) async {
        guard !urls.isEmpty, let pool = try? RelayPool(urls: urls, logger: logger) else { return }
        await pool.connect()
        for event in events {
            do { _ = try await pool.publish(event, timeout: .seconds(10)) } catch {
                logger.debug("client relay did not take the event", metadata: ["id": "\(event.id)", "error": "\(error)"])
            }
        }
        await pool.close()
    }
}
