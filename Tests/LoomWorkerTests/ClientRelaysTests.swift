import AddressSafety
import Foundation
import Logging
import LoomProtocol
import LoomTestFixtures
import Nostr
import NostrRelay
import Secp256k1
import Testing

@testable import LoomWorker

/// The relays a request names get the end of the job too, within limits:
/// which relays, and how many deliveries at once (the deliveries to real
/// relays are ClientRelaysTests in LoomWorkerLiveTests).
@Suite(.serialized)
struct ClientRelaysTests {
    static let quiet: Logger = {
        var l = Logger(label: "test.client-relays"); l.logLevel = .critical; return l
    }()

    func publicWorker(_ resolver: FakeResolver, maxConcurrent: Int = 4) -> ClientRelays {
        ClientRelays(
            workerRelays: ["wss://relay.example.com"], resolver: resolver, maxConcurrent: maxConcurrent, logger: Self.quiet)
    }

    /// Every spelling of an address that is not public, read the way the
    /// operating system reads it, with the reason it is refused.
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.1", "loopback"), ("2130706433", "loopback"), ("0x7f.1", "loopback"),
        ("0177.0.0.1", "loopback"), ("0x7f000001", "loopback"), ("127.255.255.254", "loopback"),
        ("0.0.0.0", "this network"), ("0", "this network"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.1.2", "private"), ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.255", "carrier-grade NAT"), ("169.254.169.254", "link-local"), ("192.0.0.8", "IETF"),
        ("192.0.2.1", "documentation"), ("198.51.100.7", "documentation"), ("203.0.113.9", "documentation"),
        ("198.18.0.1", "benchmarking"), ("192.88.99.1", "6to4 relay"), ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"), ("240.0.0.1", "reserved"), ("255.255.255.255", "broadcast"),
        ("::", "unspecified"), ("[::]", "unspecified"), ("::1", "loopback"), ("[::1]", "loopback"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"), ("[::ffff:127.0.0.1]", "IPv4-mapped loopback"),
        ("::ffff:7f00:1", "IPv4-mapped loopback"), ("::ffff:10.0.0.1", "IPv4-mapped private"),
        ("::ffff:169.254.169.254", "IPv4-mapped link-local"), ("::127.0.0.1", "IPv4-compatible"),
        ("::10.0.0.1", "IPv4-compatible"), ("64:ff9b::127.0.0.1", "NAT64"), ("64:ff9b::a00:1", "NAT64"),
        ("64:ff9b:1::1", "local-use NAT64"), ("2002:7f00:1::1", "6to4"), ("2002:c0a8:101::1", "6to4"),
        ("fc00::1", "unique local"), ("fd12:3456::1", "unique local"), ("fe80::1", "link-local"),
        ("febf::1", "link-local"), ("fec0::1", "site-local"), ("ff02::1", "multicast"), ("ff05::2", "multicast"),
        ("100::1", "discard-only"), ("2001:db8::1", "documentation"), ("3fff::1", "documentation"),
        ("2001::1", "Teredo"), ("::ffff:0:7f00:1", "reserved"), ("4000::1", "reserved"), ("::2", "IPv4-compatible"),
    ])
    func nonPublicAddressesAreClassified(_ host: String, _ reason: String) throws {
        let address = try #require(IPAddress(numeric: host), "\(host) did not parse")
        let why = try #require(address.nonPublicReason, "\(host) (\(address)) passed as public")
        #expect(why.contains(reason), "\(host): \(why)")
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "172.32.1.1", "100.128.0.1", "169.255.0.1", "11.0.0.1", "223.255.255.1",
        "2606:4700:4700::1111", "2a00:1450:4001::200e", "64:ff9b::8.8.8.8", "::ffff:8.8.8.8", "2002:808:808::1",
    ])
    func publicAddressesPass(_ host: String) throws {
        let address = try #require(IPAddress(numeric: host))
        #expect(address.nonPublicReason == nil, "\(host): \(address.nonPublicReason ?? "")")
    }

    @Test func namesAreNotNumbers() {
        for name in ["relay.example.com", "127.0.0.1.nip.io", "deadbeef", "0x7f.example", "1.2.3.4.5", "256.1.1.1.1", ""] {
            #expect(IPAddress(numeric: name) == nil, "\(name)")
        }
    }

    /// The URLs of every bypass the text-only check let through.
    @Test(arguments: [
        "ws://127.1", "ws://2130706433:7000", "ws://0x7f.1", "ws://[::ffff:127.0.0.1]:7000", "ws://[::]", "ws://[::1]",
        "ws://0.0.0.0:7000", "ws://100.64.0.1", "wss://169.254.169.254/latest", "ws://[fc00::1]", "ws://[fd00::7]:7000",
        "ws://[fe80::1]", "ws://127.0.0.1.nip.io", "ws://LOCALHOST:7000", "ws://printer.local", "ws://localhost.",
        "ws://evil@127.0.0.1", "ws://relay.example.com#@127.0.0.1", "ws://rebind.example", "ws://nowhere.example",
        "wss://caf\u{E9}.example",
    ])
    func aPublicWorkerRefusesThem(_ url: String) async throws {
        let resolver = FakeResolver(["127.0.0.1.nip.io": ["127.0.0.1"], "rebind.example": ["93.184.216.34", "10.0.0.1"]])
        let relays = publicWorker(resolver)
        let why = await relays.refusal(url)
        #expect(why != nil, "\(url) was allowed")
        #expect(await relays.targets([url]).isEmpty)
    }

    @Test func aNameResolvingToLoopbackIsRefused() async {
        let resolver = FakeResolver(["127.0.0.1.nip.io": ["127.0.0.1"]])
        let why = await publicWorker(resolver).refusal("wss://127.0.0.1.nip.io")
        #expect(why?.contains("loopback") == true, "\(why ?? "allowed")")
        #expect(resolver.asked == ["127.0.0.1.nip.io"])
    }

    @Test func aNameWithOnePrivateAddressAmongPublicOnesIsRefused() async {
        let resolver = FakeResolver(["mixed.example": ["93.184.216.34", "2606:2800:220:1::1", "10.0.0.1"]])
        let why = await publicWorker(resolver).refusal("wss://mixed.example")
        #expect(why?.contains("10.0.0.1") == true, "\(why ?? "allowed")")
    }

    @Test func aNameWithPublicAddressesOnlyIsAllowed() async {
        let resolver = FakeResolver(["relay.damus.example": ["93.184.216.34", "2606:2800:220:1::1"]])
        #expect(await publicWorker(resolver).refusal("wss://relay.damus.example/") == nil)
        #expect(await publicWorker(resolver).targets(["wss://relay.damus.example/"]) == ["wss://relay.damus.example/"])
    }

    @Test func numericHostsNeverReachTheResolver() async {
        let resolver = FakeResolver([:])
        let relays = publicWorker(resolver)
        for url in ["ws://127.1", "ws://2130706433", "ws://[::1]", "wss://8.8.8.8"] { _ = await relays.refusal(url) }
        #expect(resolver.asked.isEmpty)
        #expect(await relays.refusal("wss://8.8.8.8") == nil)
    }

    @Test func onlyWebSocketRelaysNotTheWorkersOwnAndAtMostThree() async {
        let names = ["a.example", "b.example", "c.example", "d.example"]
        let resolver = FakeResolver(Dictionary(uniqueKeysWithValues: names.map { ($0, ["93.184.216.34"]) }))
        let asked = [
            "wss://relay.example.com/", "https://not-a-relay.example", "ws://127.0.0.1:7000", "wss://10.0.0.8",
            "wss://192.168.1.2", "ws://localhost:8080", "wss://a.example", "wss://a.example/", "wss://b.example",
            "wss://c.example", "wss://d.example",
        ]
        #expect(await publicWorker(resolver).targets(asked) == ["wss://a.example", "wss://b.example", "wss://c.example"])
        #expect(await publicWorker(resolver).targets(asked, limit: 1) == ["wss://a.example"])
    }

    @Test func aWorkerOnLocalRelaysMayAnswerOnLocalRelays() async {
        let relays = ClientRelays(workerRelays: ["ws://127.0.0.1:7000"], resolver: FakeResolver([:]), logger: Self.quiet)
        #expect(relays.localAllowed)
        #expect(await relays.targets(["ws://127.0.0.1:7001"]) == ["ws://127.0.0.1:7001"])
        #expect(!publicWorker(FakeResolver([:])).localAllowed)
    }

    @Test func theEndOfAPaidJobWaitsForASlot() async {
        let slots = DeliverySlots(capacity: 1)
        #expect(slots.tryAcquire())
        #expect(!slots.tryAcquire())
        let waiting = Task {
            await slots.acquire(); return true
        }
        slots.release()
        #expect(await waiting.value)
        #expect(slots.inUse == 1)
        slots.release()
        #expect(slots.inUse == 0)
    }
}
