import Hummingbird
import Inference
import Logging
import LoomProtocol

/// The whole worker as `loom worker run` runs it: the job pipeline (`Worker`)
/// with the whitelist it consults, the advertiser that offers it, and the
/// loopback metrics endpoint. They share the worker's relay pool.
public final class WorkerService: Sendable {
    public let worker: Worker
    public let advertiser: Advertiser
    let whitelist: Whitelist?
    let logger: Logger

    public init(configuration: WorkerConfiguration, backend: any InferenceBackend, version: String, logger: Logger) throws {
        let access: any AccessPolicy
        if configuration.whitelistEnabled {
            let list = Whitelist(configuration: configuration, logger: logger)
            whitelist = list
            access = list
        } else {
            whitelist = nil
            access = OpenAccess.announced(logger: logger)
        }
        worker = try Worker(configuration: configuration, access: access, backend: backend, logger: logger)
        advertiser = Advertiser(pool: worker.pool, key: configuration.secretKey, configuration: configuration,
                                version: version, logger: logger)
        self.logger = logger
    }

    /// Serves until `shutdown()` (or cancellation) has let the jobs finish.
    /// `onMetricsBound` receives the metrics port actually bound (0 in the settings picks one).
    public func run(onMetricsBound: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let worker = self.worker, advertiser = self.advertiser, whitelist = self.whitelist, logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let whitelist { group.addTask { await whitelist.run(pool: worker.pool) } }
            group.addTask {
                await advertiser.run(models: { await worker.models() }, capacity: { await worker.capacity() })
            }
            group.addTask {
                // Clients pick workers by free capacity: tell them soon after it changes
                // (the advertiser folds several changes within a second into one event).
                var last: Advertisement.Capacity?
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    let now = await worker.capacity()
                    if let previous = last, previous != now { advertiser.changed() }
                    last = now
                }
            }
            if let port = worker.configuration.metricsPort {
                group.addTask {
                    // The worker handles the signals; the endpoint only stops when cancelled.
                    try await MetricsEndpoint(port: port) { await worker.metrics() }
                        .makeApplication(logger: logger, onRunning: onMetricsBound)
                        .runService(gracefulShutdownSignals: [])
                }
            }
            try await worker.run()
            group.cancelAll()
        }
    }

    /// Clients first learn the worker is going (offline advertisement), then
    /// the worker stops taking jobs and settles the running ones.
    public func shutdown() async {
        await advertiser.publishOffline()
        await worker.shutdown()
    }
}
