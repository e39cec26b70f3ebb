import Hummingbird
import Logging
import ServiceLifecycle

/// `/metrics` (Prometheus text) and `/healthz` for the operator's scraper,
/// and `/` (the dashboard page) with `/api/dashboard` (its JSON), on loopback. Bound to 127.0.0.1 only: the numbers reveal earnings and load,
/// which are nobody else's business; put a proxy in front to expose them.
public struct MetricsEndpoint: Service, CustomStringConvertible {
    public let port: Int
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void
    let sample: @Sendable () async -> WorkerMetrics
    /// The dashboard's snapshot; nil serves no dashboard (tests of the metrics alone).
    let dashboard: (@Sendable () async -> DashboardSnapshot)?

    /// `onRunning` receives the bound port when it runs as a service (useful with port 0).
    public init(
        port: Int, logger: Logger = Logger(label: "loom.metrics"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        dashboard: (@Sendable () async -> DashboardSnapshot)? = nil,
        sample: @escaping @Sendable () async -> WorkerMetrics
    ) {
        self.dashboard = dashboard
        self.port = port
        self.logger = logger
        self.onRunning = onRunning
        self.sample = sample
    }

    /// Serves until the service group's graceful shutdown, which Hummingbird's application follows.
    public func run() async throws {
        try await makeApplication(logger: logger, onRunning: onRunning).run()
    }

    /// How the service group's log names it.
    public var description: String { "MetricsEndpoint(127.0.0.1:\(port))" }

    /// `onRunning` receives the bound port (useful with port 0 in tests).
    public func makeApplication(
        logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        let router = Router()
        router.add(middleware: LoopbackHostOnly())
        let sample = self.sample
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: await sample().prometheusText())))
        }
        router.get("healthz") { _, _ in "ok\n" }
        if let dashboard { Self.addDashboard(to: router, snapshot: dashboard) }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "loom-worker"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
