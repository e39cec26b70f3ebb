import Hummingbird
import Logging

/// `/metrics` (Prometheus text), `/status` (JSON snapshot) and `/healthz` on
/// loopback for the operator's scraper. Bound to 127.0.0.1 only: the numbers reveal earnings and load,
/// which are nobody else's business; put a proxy in front to expose them.
public struct MetricsEndpoint: Sendable {
    public let port: Int
    let sample: @Sendable () async -> WorkerMetrics

    public init(port: Int, sample: @escaping @Sendable () async -> WorkerMetrics) {
        self.port = port
        self.sample = sample
    }

    /// `onRunning` receives the bound port (useful with port 0 in tests).
    public func makeApplication(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        let sample = self.sample
        router.get("metrics") { _, _ in
            Response(status: .ok,
                     headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: await sample().prometheusText())))
        }
        router.get("healthz") { _, _ in "ok\n" }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "loom-worker"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
