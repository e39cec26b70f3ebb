import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import LoomTestFixtures
import Testing

@testable import LoomWorker

@Suite struct MetricsTests {
    func sample() -> WorkerMetrics {
        var m = WorkerMetrics()
        m.running = 1
        m.queued = 2
        m.jobsByState = ["rejected": 3, "completed": 4]
        m.earnedSat = 21
        m.dropped = 7
        return m
    }

    @Test func prometheusTextHasEveryFamilyWithHelpAndType() {
        let text = sample().prometheusText()
        #expect(text.contains("loom_jobs_running 1\n"))
        #expect(text.contains("loom_jobs_queued 2\n"))
        #expect(text.contains("loom_accepting 1\n"))
        #expect(
            text.contains("loom_jobs{state=\"completed\"} 4\nloom_jobs{state=\"rejected\"} 3\n"),
            "labelled samples sorted by label")
        #expect(text.contains("loom_earned_sat_total 21\n"))
        #expect(text.contains("loom_requests_dropped_total 7\n"))
        // Every family is introduced by HELP then TYPE, as scrapers expect.
        let lines = text.split(separator: "\n")
        for (i, line) in lines.enumerated() where line.hasPrefix("# TYPE") {
            #expect(lines[i - 1].hasPrefix("# HELP"))
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(WorkerMetrics.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }

    @Test func endpointServesMetricsOnLoopback() async throws {
        let metrics = sample()
        let server = try await InProcessServer.start {
            MetricsEndpoint(port: 0) { metrics }.makeApplication(logger: quietLogger, onRunning: $0)
        }
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/metrics"), timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(body.contains("loom_earned_sat_total 21\n"))
        await server.stop()
    }

    /// A web page's DNS rebinding must not read the earnings: every route wants a loopback `Host`.
    @Test func metricsAndHealthAnswerOnlyALoopbackHost() async throws {
        let metrics = sample()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withApplication({ MetricsEndpoint(port: 0) { metrics }.makeApplication(logger: quietLogger, onRunning: $0) }
            ) {
                port in
                for path in ["metrics", "healthz", "nowhere"] {
                    var rebound = HTTPClientRequest(url: "http://127.0.0.1:\(port)/\(path)")
                    rebound.headers.replaceOrAdd(name: "host", value: "attacker.example:\(port)")
                    let refused = try await http.execute(rebound, timeout: .seconds(30))
                    let body = String(buffer: try await refused.body.collect(upTo: 1 << 20))
                    #expect(refused.status == .forbidden, "/\(path)")
                    #expect(!body.contains("loom_earned_sat_total"))
                }
                var local = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
                local.headers.replaceOrAdd(name: "host", value: "localhost:\(port)")
                let ok = try await http.execute(local, timeout: .seconds(30))
                let health = String(buffer: try await ok.body.collect(upTo: 1 << 10))
                #expect(ok.status == .ok && health == "ok\n")
                // Shut down before the server stops, so no connection is left for its teardown to race.
                try await http.shutdown()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
