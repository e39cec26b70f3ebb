import LoomClient
import Testing

/// The relays a client command uses when nothing is configured: chosen
/// here, never contacted (no test traffic leaves loopback).
struct RelayChoiceTests {
    @Test func nothingConfiguredMeansThePublicRelays() {
        let choice = RelayChoice.resolve(flags: [], environment: nil)
        #expect(choice.source == .publicDefaults)
        #expect(choice.urls == ["wss://relay.damus.io", "wss://nos.lol", "wss://relay.primal.net"])
        #expect(choice.urls.allSatisfy { $0.hasPrefix("wss://") }, "public relays are reached over TLS")
        #expect(
            choice.notice
                == "no relay configured (--relay, NOSTR_RELAYS): using the public relays \(choice.urls.joined(separator: ", "))")
    }

    @Test func anEmptyEnvironmentIsUnset() {
        #expect(RelayChoice.resolve(flags: [], environment: "").source == .publicDefaults)
        #expect(RelayChoice.resolve(flags: [""], environment: " , ").source == .publicDefaults)
    }

    @Test func theEnvironmentOverridesTheDefaults() {
        let choice = RelayChoice.resolve(flags: [], environment: " ws://127.0.0.1:7447 , ,wss://r.example ")
        #expect(choice == RelayChoice(urls: ["ws://127.0.0.1:7447", "wss://r.example"], source: .environment))
        #expect(choice.notice == nil, "a configured relay is not announced")
    }

    @Test func flagsOverrideTheEnvironment() {
        let choice = RelayChoice.resolve(flags: ["ws://127.0.0.1:1", "ws://127.0.0.1:2"], environment: "wss://r.example")
        #expect(choice == RelayChoice(urls: ["ws://127.0.0.1:1", "ws://127.0.0.1:2"], source: .flags))
        #expect(choice.notice == nil)
    }
}
