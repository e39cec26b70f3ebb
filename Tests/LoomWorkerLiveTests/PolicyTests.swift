import Cashu
import Foundation
import Inference
import LoomProtocol
import LoomTestSupport
import Nostr
import Testing

@testable import LoomWorker

/// Sensors a test sets by hand.
final class FakeSensors: MachineSensors, @unchecked Sendable {
    private let lock = NSLock()
    private var readings: MachineReadings

    init(_ readings: MachineReadings) { self.readings = readings }

    func set(_ change: (inout MachineReadings) -> Void) { lock.withLock { change(&readings) } }

    func read() async -> MachineReadings { lock.withLock { readings } }
}

/// The serving policy against a running worker (`WorkerService` with fake
/// sensors), and `loom worker pause`/`resume` against it.
@Suite(.serialized)
struct PolicyTests {
    static let present = MachineReadings(idleSeconds: 5, onACPower: true, thermal: .nominal)
    static let away = MachineReadings(idleSeconds: 900, onACPower: true, thermal: .nominal)

    /// The worker's offer as the relay holds it now.
    static func storedOffer(_ h: Harness) async throws -> Advertisement? {
        let subscription = h.clientPool.subscribe([
            Filter(authors: [h.workerKey.xOnlyPublicKey.hex], kinds: [LoomKind.advertisement.rawValue])
        ])
        defer { subscription.cancel() }
        var newest: Event?
        for await item in subscription {
            switch item {
            case .event(let event, _): if event.createdAt >= newest?.createdAt ?? 0 { newest = event }
            case .endOfStoredEvents, .closed: return try newest.map { try Advertisement.parse($0).advertisement }
            }
        }
        return try newest.map { try Advertisement.parse($0).advertisement }
    }

    static func start(
        _ h: Harness, _ config: WorkerConfiguration, sensors: FakeSensors
    ) async throws -> (WorkerService, Task<Void, any Error>) {
        let service = try WorkerService(
            configuration: config, backend: OllamaBackend(baseURL: h.ollama.url), version: "test", logger: Harness.logger,
            gracefulShutdownSignals: [], sensors: sensors, policyPoll: .milliseconds(100))
        let serving = Task { try await service.run() }
        try await Task.sleep(for: .seconds(1))
        return (service, serving)
    }

    @Test func theOperatorSittingDownStopsServingAndLeavingStartsItAgain() async throws {
        let reply = Array(repeating: "word", count: 40).joined(separator: " ")
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "10", "--reply", reply])
        var config = h.configuration(maxConcurrent: 1)
        config.shutdownGrace = .seconds(60)
        config.serving = ServingSettings(mode: .idle, idleAfter: .seconds(600))
        let sensors = FakeSensors(Self.away)
        let (service, serving) = try await Self.start(h, config, sensors: sensors)
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == true })

        let client = try await h.clientWallet(200)
        let firstToken = try await client.send(30), secondToken = try await client.send(30)
        let thirdToken = try await client.send(30), fourthToken = try await client.send(30)
        let first = try await h.submit(h.prompt(firstToken.token))
        let firstWatch = h.watch(first.id)
        _ = try await firstWatch.status(.running)
        let second = try await h.submit(h.prompt(secondToken.token, lockChange: false))
        let secondWatch = h.watch(second.id)
        _ = try await secondWatch.status(.queued)

        // The operator sits down.
        sensors.set { $0 = Self.present }
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == false }, "the offer says so at once")
        #expect(await service.policy.decision?.reason == .userActive)

        // The queued job: refunded in full.
        let refunded = try await secondWatch.result().result
        #expect(refunded.status == .failed)
        #expect(refunded.error?.code == "not-serving")
        #expect(refunded.bill?.chargedSat == .zero)
        #expect(refunded.bill?.changeSat == 30)
        #expect(try await client.receive(try #require(refunded.change)).amount == 30)

        // A new request: refused, nothing taken.
        let third = try await h.submit(h.prompt(thirdToken.token))
        let refused = try await h.watch(third.id).status(.rejected)
        #expect(refused.status.reason?.code == RequestRejection.Code.notAccepting.rawValue)
        #expect(try await client.receive(thirdToken.token).amount == 30, "the token is still the client's")

        // The running job finishes within the grace, billed as usual.
        let finished = try await firstWatch.result().result
        #expect(finished.status == .completed)

        // The operator leaves: serving again.
        sensors.set { $0 = Self.away }
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == true })
        let fourth = try await h.submit(h.prompt(fourthToken.token))
        #expect(try await h.watch(fourth.id).result().result.status == .completed)

        let state = try #require(ServingStatus.read(dataDirectory: config.dataDirectory))
        #expect(state.serving && state.reason == "idle")
        #expect(state.transitions.map(\.reason).suffix(3) == ["idle", "user-active", "idle"])
        let wallet = try #require(service.worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)

        await service.shutdown()
        try await serving.value
        await h.stop()
    }

    /// A running job that outlasts `SHUTDOWN_GRACE` after the policy turned
    /// off is stopped and billed for what ran, as at shutdown.
    @Test func aRunningJobPastTheGraceIsStoppedAndBilledForWhatRan() async throws {
        let reply = Array(repeating: "word", count: 600).joined(separator: " ")
        let h = try await Harness(inputFeePpk: 0, ollamaArguments: ["--tokens-per-second", "5", "--reply", reply])
        var config = h.configuration(maxConcurrent: 1)
        config.shutdownGrace = .seconds(1)
        config.serving = ServingSettings(mode: .idle, idleAfter: .seconds(600), maxOtherLoad: 2)
        let sensors = FakeSensors(Self.away)
        let (service, serving) = try await Self.start(h, config, sensors: sensors)
        let client = try await h.clientWallet(40)
        let token = try await client.send(30)
        let job = try await h.submit(h.prompt(token.token))
        let watch = h.watch(job.id)
        _ = try await watch.status(.running)
        sensors.set { $0.otherLoad = 3 }
        let result = try await watch.result().result
        #expect(result.status == .failed)
        #expect(result.error?.code == JobFailure.workerShutdown.code)
        let bill = try #require(result.bill)
        #expect(bill.billedMs == bill.elapsedMs, "the worker's fault: no minimum")
        #expect(bill.chargedSat.value == (bill.elapsedMs + 999) / 1000)
        #expect(bill.chargedSat.value + bill.changeSat.value == 30)
        #expect(await service.policy.decision?.reason == .busyMachine)
        await service.shutdown()
        try await serving.value
        await h.stop()
    }

    /// `loom worker pause --for 2h` (the built binary) against the running
    /// worker, held across a restart, then `loom worker resume`.
    @Test func pauseAndResumeFromTheCommandLine() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let config = h.configuration()
        let sensors = FakeSensors(Self.away)
        var (service, serving) = try await Self.start(h, config, sensors: sensors)
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == true })
        let dir = ["--data-dir", config.dataDirectory.path]

        let paused = try await LoomCLI.run(["worker", "pause", "--for", "2h"] + dir)
        #expect(paused.status == 0, "\(paused.output)")
        #expect(paused.stdout.contains("the worker stopped taking jobs"), "\(paused.output)")
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == false })
        let pause = try #require(PauseFile(dataDirectory: config.dataDirectory).read())
        #expect(pause.until.map { $0 - pause.since } == 7200)
        let mode =
            try FileManager.default.attributesOfItem(atPath: PauseFile(dataDirectory: config.dataDirectory).url.path)[
                .posixPermissions] as? Int
        #expect(mode == 0o600)

        let client = try await h.clientWallet(40)
        let token = try await client.send(10)
        let refused = try await h.watch(try await h.submit(h.prompt(token.token)).id).status(.rejected)
        #expect(refused.status.reason?.code == RequestRejection.Code.notAccepting.rawValue)

        let status = try await LoomCLI.run(["worker", "status", "--json"] + dir)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let view = try #require(json?["serving"] as? [String: Any], "\(status.output)")
        #expect(view["paused"] as? Bool == true)
        #expect(view["reason"] as? String == "paused")
        #expect(view["serving"] as? Bool == false)

        // A restart keeps the pause: the first offer already says so.
        await service.shutdown()
        try await serving.value
        (service, serving) = try await Self.start(h, config, sensors: sensors)
        #expect(await service.worker.isAccepting() == false)
        #expect(await service.policy.decision?.reason == .paused)

        let resumed = try await LoomCLI.run(["worker", "resume"] + dir)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.stdout.contains("the worker applied it"), "\(resumed.output)")
        #expect(try await eventually { try await Self.storedOffer(h)?.accepting == true })
        let again = try await client.send(10)
        #expect(try await h.watch(try await h.submit(h.prompt(again.token)).id).result().result.status == .completed)
        #expect(try await LoomCLI.run(["worker", "resume"] + dir).stdout.contains("not paused"))

        await service.shutdown()
        try await serving.value
        await h.stop()
    }

    /// This platform's real sensors (Linux: `LinuxSensors`, `loginctl`
    /// included; macOS: `MacSensors`) on this machine: a well-formed
    /// reading or a clear "unknown", never a crash.
    @Test func realSensorsOnThisMachine() async {
        let r = await PolicyService.platformSensors().read()
        if r.idleSeconds == nil { #expect(r.notes.contains { $0.hasPrefix("idle unknown") }, "\(r.notes)") }
        if let idle = r.idleSeconds { #expect(idle >= 0) }
        if let load = r.otherLoad { #expect(load >= 0) }
        let decision = ServingPolicy(settings: ServingSettings(mode: .idle)).decide(r, now: Date())
        #expect(!decision.detail.isEmpty)
    }
}
