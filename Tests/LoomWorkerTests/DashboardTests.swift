import AddressSafety
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import LoomProtocol
import LoomTestFixtures
import Testing

@testable import LoomWorker

@Suite struct DashboardTests {
    // 2026-11-28 07:03:20 UTC: mid-slot for every window, so the edges below are the slots'.
    let now: Int64 = 1_795_849_400

    @Test func hourBucketsAreFiveMinuteSlotsEndingWithTheCurrentOne() {
        let slot = now / 300 * 300
        let jobs = [
            SettledJob(finishedAt: slot, chargedSat: 5),  // first second of the current slot: last bar
            SettledJob(finishedAt: slot - 1, chargedSat: 7),  // previous slot
            SettledJob(finishedAt: slot - 11 * 300, chargedSat: 3),  // oldest bar's first second
            SettledJob(finishedAt: slot - 11 * 300 - 1, chargedSat: 100),  // before the window
            SettledJob(finishedAt: slot + 300, chargedSat: 100),  // clock skew: after the window
        ]
        let series = EarningsSeries(.hour, jobs: jobs, now: now)
        #expect(series.bucketSeconds == 300)
        #expect(series.sat.count == 12)
        #expect(series.start == slot - 11 * 300)
        #expect(series.sat[11] == 5 && series.sat[10] == 7 && series.sat[0] == 3)
        #expect(series.totalSat == 15)
    }

    @Test func dayAndWeekWindows() {
        let jobs = [
            SettledJob(finishedAt: now, chargedSat: 1), SettledJob(finishedAt: now - 3600, chargedSat: 2),
            SettledJob(finishedAt: now - 2 * 86400, chargedSat: 4), SettledJob(finishedAt: now - 8 * 86400, chargedSat: 8),
        ]
        let day = EarningsSeries(.day, jobs: jobs, now: now)
        #expect(day.sat.count == 24 && day.bucketSeconds == 3600)
        #expect(day.sat[23] == 1 && day.sat[22] == 2 && day.totalSat == 3)
        let week = EarningsSeries(.week, jobs: jobs, now: now)
        #expect(week.sat.count == 28 && week.bucketSeconds == 6 * 3600)
        #expect(week.totalSat == 7, "the 8-day-old job is outside the week")
        #expect(week.sat.last == 3, "both jobs of the last hours share the current 6-hour bar")
    }

    func record(_ id: String, _ state: JobState, charged: UInt64? = nil, ending: Ending? = nil) -> JobRecord {
        var r = JobRecord(id: id, client: "c", model: "llama3.2:1b", state: state, paidSat: 60, receivedAt: now - 10)
        r.chargedSat = charged
        r.elapsedMs = 1500
        r.ending = ending.map { String(decoding: try! JSONEncoder().encode($0), as: UTF8.self) }
        return r
    }

    @Test func jobRowsTakeLiveProgressOverTheJournalAndEndingsUsageAfter() {
        let done = Ending(
            state: .completed, workerFault: false,
            usage: .init(promptTokens: 3, completionTokens: 40, tokensPerSecond: 20), elapsedMs: 2000)
        let inputs = DashboardInputs(
            now: now, accepting: true, metrics: WorkerMetrics(),
            recent: [
                record(String(repeating: "a", count: 64), .running),
                record("b", .completed, charged: 2, ending: done),
            ],
            progress: [String(repeating: "a", count: 64): JobProgress(elapsedMs: 4000, tokens: 100)])
        let rows = DashboardSnapshot(inputs).jobs
        #expect(rows[0].id == String(repeating: "a", count: 12), "ids are shortened")
        #expect(rows[0].seconds == 4 && rows[0].tokens == 100 && rows[0].tokensPerSecond == 25)
        #expect(rows[0].chargedSat == nil && rows[0].state == "running" && rows[0].model == "llama3.2:1b")
        #expect(rows[1].seconds == 2 && rows[1].chargedSat == 2 && rows[1].tokens == 40 && rows[1].tokensPerSecond == 20)
        #expect(DashboardSnapshot(inputs).tokensPerSecond == 25)
    }

    @Test func servingStateAndWhy() {
        #expect(DashboardSnapshot.serving(accepting: true, running: 0, queued: 0).state == "accepting")
        let busy = DashboardSnapshot.serving(accepting: true, running: 2, queued: 1)
        #expect(busy.state == "running" && busy.reason == "2 job(s) running, 1 queued")
        let stopping = DashboardSnapshot.serving(accepting: false, running: 1, queued: 0)
        #expect(stopping.state == "draining" && stopping.reason.contains("SHUTDOWN_GRACE"))
        let held = DashboardSnapshot.serving(accepting: true, heldOff: "paused", running: 1, queued: 0)
        #expect(held.state == "not-serving" && held.reason.hasPrefix("serving policy: paused"))
        #expect(held.reason.contains("SHUTDOWN_GRACE"))
    }

    @Test func healthMapsWhatTheWorkerHasSeen() {
        let failedUpload = Ending(state: .failed, workerFault: true, uploadError: "503")
        let inputs = DashboardInputs(
            now: now, accepting: true, metrics: WorkerMetrics(),
            recent: [record("x", .failed, charged: 0, ending: failedUpload)],
            wallets: [.init(mint: "http://m1", balanceSat: 10), .init(mint: "http://m3", error: "locked")],
            relays: [
                RelayHealth(url: "ws://r1", state: .connected),
                RelayHealth(url: "ws://r2", state: .waitingToReconnect(attempt: 3)),
                RelayHealth(url: "ws://r3", state: .connecting),
            ],
            mints: ["http://m1", "http://m2", "http://m3"], waitingOnMint: ["http://m2": 2],
            blossomServers: ["http://b"], backend: BackendHealth(url: "http://o", models: [], error: nil))
        let health = DashboardSnapshot(inputs).health.map { "\($0.component) \($0.name) \($0.status)" }
        #expect(
            health == [
                "relay ws://r1 ok", "relay ws://r2 down", "relay ws://r3 degraded",
                "mint http://m1 ok", "mint http://m2 degraded", "mint http://m3 down",
                "blossom http://b down", "backend http://o degraded",
            ])
        var fine = inputs
        fine.recent = [
            record(
                "y", .completed, charged: 1,
                ending: Ending(
                    state: .completed, workerFault: false,
                    outputs: [
                        .init(
                            url: "http://b/x", sha256: String(repeating: "0", count: 64), size: 1, type: "text/plain")
                    ]))
        ]
        fine.backend = BackendHealth(url: "http://o", models: ["m", "n"], error: nil, warm: ["n"])
        let rows = DashboardSnapshot(fine).health
        #expect(rows.first { $0.component == "blossom" }?.status == "ok")
        let backend = rows.first { $0.component == "backend" }
        #expect(backend?.status == "ok" && backend?.detail == "m, n; loaded now: n")
        fine.backend.error = "connection refused"
        #expect(DashboardSnapshot(fine).health.first { $0.component == "backend" }?.status == "down")
    }

    @Test func backendURLLosesItsCredentials() {
        #expect(Worker.withoutCredentials(URL(string: "http://u:secret@host:8080/v1?k=s")!) == "http://host:8080/v1")
    }

    /// `LoopbackHost`, the rule of the dashboard and of `loom gateway` (RequestGuardTests
    /// and MetricsTests check each server applies it).
    @Test func onlyLoopbackHostsAreAnswered() {
        let table: [(String?, Bool)] = [
            ("127.0.0.1:9100", true), ("127.0.0.1", true), ("localhost", true), ("LOCALHOST:1", true),
            ("[::1]:9100", true), ("[::1]", true),
            ("evil.example:9100", false), ("127.0.0.1.evil.example", false), ("localhost.evil:8080", false),
            ("[::2]:1", false), ("0.0.0.0:8080", false), ("", false), (nil, false),
        ]
        for (host, loopback) in table { #expect(LoopbackHost.matches(host) == loopback, "\(host ?? "nil")") }
    }

    @Test func endpointServesThePageAndTheSnapshot() async throws {
        let snapshot = DashboardSnapshot(DashboardInputs(now: now, accepting: true, metrics: WorkerMetrics()))
        try await withApplication({
            MetricsEndpoint(port: 0, dashboard: { snapshot }) { WorkerMetrics() }.makeApplication(
                logger: quietLogger, onRunning: $0)
        }) { port in try await Self.checkEndpoint(port) }
    }

    private static func checkEndpoint(_ port: Int) async throws {
        let page = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(30))
        #expect(page.status == .ok)
        #expect(page.headers.first(name: "content-security-policy")?.contains("default-src 'none'") == true)
        #expect(String(buffer: try await page.body.collect(upTo: 1 << 20)).contains("/api/dashboard"))
        let api = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/dashboard"), timeout: .seconds(30))
        let text = String(buffer: try await api.body.collect(upTo: 1 << 20))
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let object = try #require(json as? [String: Any])
        #expect((object["serving"] as? [String: Any])?["state"] as? String == "accepting")
        #expect(((object["earnings"] as? [String: Any])?["hour"] as? [String: Any])?["bucket_seconds"] as? Int == 300)
        var rebound = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/dashboard")
        rebound.headers.replaceOrAdd(name: "host", value: "attacker.example")
        #expect(try await HTTPClient.shared.execute(rebound, timeout: .seconds(30)).status == .forbidden)
    }
}

extension DashboardTests {
    @Test func meltHintPointsAtEachWalletsFolder() {
        let inputs = DashboardInputs(
            now: now, accepting: true, metrics: WorkerMetrics(),
            wallets: [.init(mint: "http://127.0.0.1:3338", balanceSat: 21)], dataDirectory: "/var/lib/loom")
        let snapshot = DashboardSnapshot(inputs)
        #expect(
            snapshot.wallets[0].melt
                == "loom wallet melt <bolt11-invoice> --mint http://127.0.0.1:3338 --data-dir /var/lib/loom/wallets/127.0.0.1_3338"
        )
        #expect(snapshot.meltHint == snapshot.wallets[0].melt)
    }
}
