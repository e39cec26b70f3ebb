import Inference
import Logging
import LoomProtocol
import ServiceLifecycle
import UnixSignals

/// The whole worker as `loom worker run` runs it: the job pipeline (`Worker`)
/// with the whitelist it consults, the advertiser that offers it, and the
/// loopback metrics endpoint, as services of one `ServiceGroup`, which owns
/// the signals. They share the worker's relay pool.
public final class WorkerService: Sendable {
    public let worker: Worker
    public let advertiser: Advertiser
    /// The serving policy (`SERVE_WHEN`, the pause) applied to the worker.
    public let policy: PolicyService
    let whitelist: Whitelist?
    let group: ServiceGroup

    /// `gracefulShutdownSignals` start the orderly stop (`shutdown()` does
    /// the same in process). `onMetricsBound` receives the metrics port
    /// actually bound (0 in the settings picks one). `sensors` and
    /// `policyPoll` replace the platform's sensors and their 15 s (tests).
    public init(
        configuration: WorkerConfiguration, backend: any InferenceBackend, version: String, logger: Logger,
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        sensors: (any MachineSensors)? = nil, policyPoll: Duration = .seconds(15),
        onMetricsBound: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        let access: any AccessPolicy
        if configuration.whitelistEnabled {
            let list = Whitelist(configuration: configuration, logger: logger)
            whitelist = list
            access = list
        } else {
            whitelist = nil
            access = OpenAccess.announced(logger: logger)
        }
        let worker = try Worker(configuration: configuration, access: access, backend: backend, logger: logger)
        self.worker = worker
        let advertiser = Advertiser(
            pool: worker.pool, key: configuration.secretKey, configuration: configuration,
            version: version, logger: logger,
            facts: .init(
                models: { await worker.models() }, capacity: { await worker.capacity() },
                accepting: { await worker.isAccepting() }, warm: { await worker.warmModels() }))
        self.advertiser = advertiser
        policy = PolicyService(
            worker: worker, settings: configuration.serving, sensors: sensors ?? PolicyService.platformSensors(),
            dataDirectory: configuration.dataDirectory, logger: logger, pollInterval: policyPoll,
            tick: min(policyPoll, .seconds(1)), onChange: { advertiser.changed() })
        // The one place that orders the services. The group starts them in
        // this order and, on a signal, stops them in reverse, each once the
        // one after it has returned:
        // 1. the advertiser publishes the offline offer: clients stop choosing this worker;
        // 2. the worker stops its intake, refunds the queue, gives running jobs
        //    SHUTDOWN_GRACE, settles them and closes the relays;
        // 3. the whitelist follower (the worker's access policy) stops;
        // 4. the metrics endpoint stops last, so the drain can be watched.
        // The serving policy starts last and stops first: it must not turn
        // the worker on again while it drains.
        var services: [any Service] = []
        if let port = configuration.metricsPort {
            services.append(
                MetricsEndpoint(
                    port: port, logger: logger, onRunning: onMetricsBound, dashboard: { await worker.dashboard() }
                ) { await worker.metrics() })
        }
        if let whitelist { services.append(WhitelistFollower(whitelist: whitelist, pool: worker.pool)) }
        services += [worker, advertiser, policy] as [any Service]
        group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map(Self.orderly), gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    /// A service that ends or fails on its own (the metrics port taken)
    /// starts the same orderly stop as a signal, never a cancellation.
    static func orderly(_ service: any Service) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(
            service: service, successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup)
    }

    /// Serves until a signal (or `shutdown()`) has let the jobs finish.
    /// The policy decides once first, so the first offer already says whether the worker takes jobs.
    public func run() async throws {
        _ = await policy.evaluate()
        try await group.run()
    }

    /// What SIGTERM does, for callers in process: the orderly stop.
    public func shutdown() async { await group.triggerGracefulShutdown() }
}
