import ArgumentParser

extension WhitelistCommand {
    /// Options every `loom whitelist` command shares.
    struct RelayOptions: ParsableArguments {
        @Option(name: .customLong("relay"), help: "Relay URL (repeatable). Defaults to $NOSTR_RELAYS (comma-separated).")
        var relays: [String] = []
        @Option(help: "Seconds to wait for relays to answer.") var timeout: Double = 10
        @Flag(help: "Print JSON instead of text.") var json = false

        func urls() throws -> [String] {
            let urls = relays.isEmpty ? Defaults.list("NOSTR_RELAYS") : relays
            guard !urls.isEmpty else { throw ValidationError("no relays: pass --relay wss://… (repeatable) or set NOSTR_RELAYS") }
            for url in urls where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
                throw ValidationError("--relay \(url): relays are ws:// or wss:// URLs")
            }
            return urls
        }

        var duration: Duration { .milliseconds(Int64(max(timeout, 0.1) * 1000)) }
    }
}
