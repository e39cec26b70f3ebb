import Foundation

/// Whether loom may dial a URL that someone else chose: the worker a relay a
/// request names, the client a worker's advertised relays, Blossom servers
/// and output URLs. Every host is resolved and refused if any address it
/// resolves to is not public (`IPAddress.nonPublicReason`), so a peer cannot
/// aim us at our own machine, our network or a cloud metadata service.
///
/// Local targets are allowed when the one who runs loom chose local
/// services itself: `allowLocal` (a worker on local relays: development,
/// tests) or `allowedHosts` (hosts the user configured: their relays, mint,
/// `LOOM_ALLOW_HOSTS`). Known limit: the connection resolves the name again,
/// so a name whose DNS answer changes between this check and the connection
/// (DNS rebinding) is not caught.
public struct DialCheck: Sendable {
    public let resolver: any HostResolver
    public let allowLocal: Bool
    /// Lower-case hosts, without brackets or port.
    public let allowedHosts: Set<String>

    public init(resolver: any HostResolver = SystemResolver(), allowLocal: Bool = false, allowedHosts: Set<String> = []) {
        self.resolver = resolver
        self.allowLocal = allowLocal
        self.allowedHosts = Set(allowedHosts.map(Self.unbracketed))
    }

    /// The hosts of `urls` (relays, a mint, Blossom servers), for `allowedHosts`.
    public static func hosts(of urls: [String]) -> Set<String> {
        Set(urls.compactMap(dialledHost).filter { !$0.isEmpty })
    }

    /// Whether any of `urls` is on loopback, a local name or a private network.
    public static func anyLocal(_ urls: [String]) -> Bool {
        urls.contains { url in
            dialledHost(url).map { isLocalName($0) || IPAddress(numeric: $0)?.nonPublicReason != nil } ?? false
        }
    }

    /// Why `url` may not be dialled; nil when it may.
    public func refusal(_ url: String, schemes: Set<String>) async -> String? {
        guard let parsed = URL(string: url), schemes.contains(parsed.scheme?.lowercased() ?? "") else {
            return "not a \(schemes.sorted().joined(separator: "/")) URL"
        }
        // The host the client library will dial must be the host checked here.
        guard let host = Self.dialledHost(url), !host.isEmpty, host == parsed.host.map(Self.unbracketed) ?? "" else {
            return "the host is ambiguous (user info, brackets or characters a host cannot have)"
        }
        if allowLocal || allowedHosts.contains(host) { return nil }
        if Self.isLocalName(host) { return "\(host) is a local name" }
        let addresses: [IPAddress]
        if let numeric = IPAddress(numeric: host) {
            addresses = [numeric]
        } else {
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                return "\(host) is not a host name"
            }
            do { addresses = try await resolver.addresses(of: host) } catch { return "\(error)" }
        }
        // One private answer is enough: the connection may pick any of them.
        for address in addresses {
            if let why = address.nonPublicReason { return "\(host) resolves to \(address), \(why)" }
        }
        return nil
    }

    /// The host as a WebSocket or HTTP client reads it: after `://`, up to
    /// `:`, `/`, `?` or `#` (an IPv6 literal up to its `]`), without the brackets.
    public static func dialledHost(_ url: String) -> String? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        let rest = url[start...]
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        return String(rest.prefix { !":/?#".contains($0) }).lowercased()
    }

    static func unbracketed(_ host: String) -> String {
        host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    }

    /// Names that mean this machine or its network without asking DNS.
    public static func isLocalName(_ host: String) -> Bool {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        return name == "localhost" || [".localhost", ".local", ".internal", ".home.arpa"].contains { name.hasSuffix($0) }
    }
}
