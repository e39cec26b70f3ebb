import ArgumentParser
import Cashu
import Foundation
import LoomClient
import LoomGateway
import Nostr

/// `loom gateway`: an OpenAI-compatible HTTP server that pays a worker per call.
struct GatewayCommand: LoomCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve the OpenAI API on loopback, paying a live worker per call from the local wallet.",
        discussion: """
            Endpoints: GET /v1/models, POST /v1/chat/completions, POST /v1/completions (with and without \
            "stream": true). Each call picks the cheapest live worker with a free slot (or the workers of --worker, \
            or of the X-Loom-Worker header, in order), pays its budget from the wallet at --mint, waits for the result, \
            redeems the change and answers with usage and the headers X-Loom-Job, X-Loom-Worker and X-Loom-Cost-Sat. \
            Web pages cannot call it unless --allow-origin names them; bodies must be application/json. \
            A busy, closing or silent worker is skipped (its payment reclaimed) for the next one. Every call is in \
            the client journal (`loom job list`). See docs/CLIENT.md, "loom gateway".
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: "Address to bind. Anything but loopback needs --api-key.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one and prints it).") var port = 8080
    @Option(help: "Mint of the wallet to pay from. Default: first of $CASHU_MINT_URL.") var mint: String?
    @Option(help: "The most one call may take from the wallet, mint fees included; unused time comes back as change.")
    var maxSatPerCall: UInt64 = 100
    @Option(help: "The most seconds of worker time one call buys (max_tokens shortens it).")
    var maxSecondsPerCall: UInt64 = 60
    @Option(help: "npub or hex of a worker to use (repeatable, tried in order), or `auto` for the market.")
    var worker: [String] = []
    @Option(help: "Calls served at once; more wait their turn.") var maxConcurrent = 8
    @Option(help: "Require `Authorization: Bearer KEY`. Default: $LOOM_GATEWAY_API_KEY.") var apiKey: String?
    @Option(
        help: """
            A web page (origin, e.g. http://localhost:3000) that may call the gateway and read its answers \
            (repeatable); requests from any other page are refused. Default: $LOOM_GATEWAY_ALLOW_ORIGINS (comma-separated).
            """)
    var allowOrigin: [String] = []
    @Option(help: "Workers tried per call before answering 503.") var attempts = 3
    @Option(help: "Seconds a worker has to publish its first status before the next one is tried.")
    var statusTimeout = 15
    @Option(help: "Seconds a call waits for its result.") var timeout = 600

    func validate() throws {
        guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        guard statusTimeout >= 1, timeout >= statusTimeout else {
            throw ValidationError("--status-timeout must be at least 1 and --timeout at least --status-timeout")
        }
        guard maxSatPerCall >= 1, maxSecondsPerCall >= 1 else {
            throw ValidationError("--max-sat-per-call and --max-seconds-per-call must be at least 1")
        }
        _ = try allowedOrigins()
    }

    /// `--allow-origin`, else `$LOOM_GATEWAY_ALLOW_ORIGINS`, each spelled as browsers send it.
    func allowedOrigins() throws -> [String] {
        try (allowOrigin.isEmpty ? Defaults.list("LOOM_GATEWAY_ALLOW_ORIGINS") : allowOrigin).map { text in
            guard let origin = GatewayConfiguration.origin(text) else {
                throw ValidationError(
                    "--allow-origin \(text.prefix(80)): not an origin; give the page's scheme, host and port, e.g. http://localhost:3000 (not null or *, which any page can send)"
                )
            }
            return origin
        }
    }

    func run(_ console: Console) async throws {
        let key = apiKey ?? Defaults.environment("LOOM_GATEWAY_API_KEY")
        guard GatewayConfiguration.isLoopback(host) || key != nil else {
            throw CLIError(
                "--host \(host) is reachable from other machines, which would spend this wallet for anyone: set --api-key (or $LOOM_GATEWAY_API_KEY), or bind 127.0.0.1"
            )
        }
        guard let mintURL = Defaults.mint(mint) else {
            throw CLIError("no mint to pay from: pass --mint URL or set CASHU_MINT_URL")
        }
        let pinned = try pinnedWorkers()
        let loom = try await client.client(mint: Token.normalizeMintURL(mintURL), console, lockedReserve: true)
        guard let wallet = loom.wallet else { throw CLIError("no wallet at \(mintURL)") }
        let inFlight = loom.journal.unsettled().filter { $0.reclaimableToken != nil || $0.pendingChange != nil }
        if !inFlight.isEmpty {
            // Left by a crash (of this gateway or of `loom job submit`): the journal has them, nothing settles them by itself.
            console.warn(
                "warning: \(inFlight.count) journaled jobs still hold money in flight; `loom job list --unsettled` shows them and `loom job watch <job id>` settles each"
            )
        }
        let configuration = GatewayConfiguration(
            host: host, port: port, maxSatPerCall: maxSatPerCall, maxSecondsPerCall: maxSecondsPerCall,
            pinnedWorkers: pinned, maxConcurrent: maxConcurrent, apiKey: key, maxAttempts: attempts,
            statusTimeoutSeconds: statusTimeout, callTimeoutSeconds: timeout, allowedOrigins: try allowedOrigins())
        let server = GatewayServer(engine: GatewayEngine(client: loom, wallet: wallet, configuration: configuration))
        if !GatewayConfiguration.isLoopback(host) { console.warn("warning: serving on \(host), reachable from other machines") }
        if !configuration.allowedOrigins.isEmpty {
            console.warn("web pages that may spend this wallet: \(configuration.allowedOrigins.joined(separator: ", "))")
        }
        // Offers subscribed and the wallet's denominations readied before the first call.
        await server.engine.warmUp()
        let hostName = host
        let mintName = wallet.mint.url
        try await server.run { bound in
            console.warn("loom gateway: OpenAI API at http://\(hostName):\(bound)/v1, paying from \(mintName)")
        }
        // The server has stopped taking calls; those still running (a streamed call whose
        // caller hung up) settle their change first, within a grace period.
        let left = await server.engine.drain(grace: .seconds(Self.shutdownGraceSeconds))
        let held = loom.journal.unsettled().filter { $0.reclaimableToken != nil || $0.pendingChange != nil }
        if left > 0 || !held.isEmpty {
            console.warn(
                "loom gateway stopped with \(left) calls still running and \(held.count) jobs holding money in flight; settle each with `loom job watch <job id>`:"
            )
            for job in held { console.warn("  \(job.jobID)  \(job.worker.prefix(12))  \(job.paidSat) sat") }
        }
        await loom.close()
    }

    /// Seconds a stopping gateway waits for running calls to settle.
    static let shutdownGraceSeconds: Int64 = 20

    func pinnedWorkers() throws -> [String]? {
        let named = worker.filter { $0 != "auto" }
        guard !named.isEmpty else { return nil }
        return try named.map { text in
            do { return try NIP19.publicKey(from: text).hex } catch {
                throw CLIError("--worker \(text.prefix(80)): not an npub, nprofile or 64-hex key; or use --worker auto")
            }
        }
    }
}
