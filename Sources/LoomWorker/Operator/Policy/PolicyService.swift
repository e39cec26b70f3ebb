import Foundation
import Logging
import ServiceLifecycle

/// Applies the serving policy to a running worker: reads the sensors every
/// `pollInterval` (15 s; never in `always` mode, which needs none), the
/// pause file every second, and on a transition logs it with its reason,
/// records it in `<data>/serving.json` (`loom worker status`), tells the
/// worker (`holdOff` then `letRunningFinish`, or `resumeServing`) and the advertiser (`onChange`:
/// the offer says `accepting` at once).
public actor PolicyService: Service {
    let worker: Worker
    public nonisolated let policy: ServingPolicy
    let sensors: any MachineSensors
    let pauseFile: PauseFile
    let dataDirectory: URL
    let pollInterval: Duration
    let tick: Duration
    let logger: Logger
    let onChange: @Sendable () -> Void
    /// The decision in force and the newest readings, for tests and status.
    public private(set) var decision: ServingDecision?
    public private(set) var readings = MachineReadings()
    private var lastRead: ContinuousClock.Instant?
    private var status: ServingStatus?

    public init(
        worker: Worker, settings: ServingSettings, sensors: any MachineSensors, dataDirectory: URL, logger: Logger,
        pollInterval: Duration = .seconds(15), tick: Duration = .seconds(1), onChange: @escaping @Sendable () -> Void = {}
    ) {
        self.worker = worker
        policy = ServingPolicy(settings: settings)
        self.sensors = sensors
        pauseFile = PauseFile(dataDirectory: dataDirectory)
        self.dataDirectory = dataDirectory
        self.pollInterval = pollInterval
        self.tick = tick
        self.logger = logger
        self.onChange = onChange
    }

    /// The sensors this platform has.
    public static func platformSensors() -> any MachineSensors {
        #if os(macOS)
            MacSensors()
        #else
            LinuxSensors()
        #endif
    }

    /// Polls until the graceful shutdown. A wind-down in progress (the grace
    /// for running jobs) runs beside the polling, so the policy can turn on
    /// again meanwhile; shutdown then takes the running jobs over.
    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    if let epoch = await self.evaluate() {
                        group.addTask { await self.worker.letRunningFinish(epoch: epoch) }
                    }
                    do { try await Task.sleep(for: self.tick) } catch { break }
                }
                group.cancelAll()
            }
        }
    }

    /// One look: decides, and on a change applies it. When serving stops,
    /// requests are refused and the queue refunded before the offer changes;
    /// the returned epoch is for winding the running jobs down
    /// (`letRunningFinish`, up to the grace). `WorkerService` calls it once
    /// before starting, so the first offer is already right.
    @discardableResult
    public func evaluate() async -> Int? {
        let now = ContinuousClock.now
        if policy.settings.mode != .always, lastRead.map({ now - $0 >= pollInterval }) ?? true {
            readings = await sensors.read()
            lastRead = now
        }
        let pause = pauseFile.read()
        let next = policy.decide(readings, now: Date(), pausedUntil: pause)
        guard next != decision else { return nil }
        let previous = decision
        decision = next
        // The detail changes with every reading (idle 42 s, idle 57 s): only a new reason is a transition.
        guard next.serve != previous?.serve || next.reason != previous?.reason else { return nil }
        logger.info(
            next.serve ? "serving policy: serve" : "serving policy: do not serve",
            metadata: ["reason": "\(next.reason.rawValue)", "detail": "\(next.detail)"])
        record(next, pause: pause)
        if next.serve {
            await worker.resumeServing()
            onChange()
            return nil
        }
        let epoch = await worker.holdOff(because: next.reason.rawValue)
        onChange()
        return epoch
    }

    private func record(_ d: ServingDecision, pause: Pause?) {
        let at = Int64(Date().timeIntervalSince1970)
        var transitions = status?.transitions ?? ServingStatus.read(dataDirectory: dataDirectory)?.transitions ?? []
        transitions.append(.init(at: at, serving: d.serve, reason: d.reason.rawValue, detail: d.detail))
        transitions = Array(transitions.suffix(ServingStatus.keep))
        let next = ServingStatus(
            serving: d.serve, reason: d.reason.rawValue, detail: d.detail, mode: policy.settings.mode.rawValue, since: at,
            pausedUntil: pause?.until, paused: d.reason == .paused, pid: ProcessInfo.processInfo.processIdentifier,
            transitions: transitions)
        status = next
        do { try next.write(dataDirectory: dataDirectory) } catch {
            logger.warning("serving state not written", metadata: ["error": "\(error)"])
        }
    }
}
