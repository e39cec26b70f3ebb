import Foundation

/// Which relays a client command talks to, and why: the flags, then
/// `$NOSTR_RELAYS`, then a few well-known public relays, so a newcomer's
/// `loom workers` reaches the public market without setting anything up.
/// Workers never get this default: an operator chooses where to listen.
public struct RelayChoice: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case flags
        case environment
        /// Nothing configured: `RelayChoice.publicRelays`.
        case publicDefaults
    }

    public let urls: [String]
    public let source: Source

    public init(urls: [String], source: Source) {
        self.urls = urls
        self.source = source
    }

    /// Large, long-running, open to everyone's events, and each run by a
    /// different operator, so one outage or policy change leaves two.
    /// docs/CLIENT.md lists them; change both together.
    public static let publicRelays = ["wss://relay.damus.io", "wss://nos.lol", "wss://relay.primal.net"]

    /// `flags` (`--relay`, repeatable) win; then `environment`, the value of
    /// `$NOSTR_RELAYS` (comma-separated); then the public relays. Empty
    /// items are dropped, so `--relay ""` or `NOSTR_RELAYS=` counts as unset.
    public static func resolve(flags: [String], environment: String?) -> RelayChoice {
        let given = flags.map(trim).filter { !$0.isEmpty }
        if !given.isEmpty { return RelayChoice(urls: given, source: .flags) }
        let listed = (environment ?? "").split(separator: ",").map { trim(String($0)) }.filter { !$0.isEmpty }
        if !listed.isEmpty { return RelayChoice(urls: listed, source: .environment) }
        return RelayChoice(urls: publicRelays, source: .publicDefaults)
    }

    /// The line a command prints on stderr when it fell back to the public
    /// relays, so nobody talks to the public network without being told.
    public var notice: String? {
        guard source == .publicDefaults else { return nil }
        return "no relay configured (--relay, NOSTR_RELAYS): using the public relays \(urls.joined(separator: ", "))"
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }
}
