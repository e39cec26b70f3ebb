import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Testing
@testable import LoomWorker

@Suite struct MetricsTests {
    @Test func prometheusTextHasEveryFamilyWithHelpAndType() {
        let metrics = WorkerMetrics()
        metrics.requestSeen()
        metrics.requestSeen()
        metrics.requestDropped()
        metrics.rejected("underpaid")
        metrics.rejected("underpaid")
        metrics.rejected("token-spent")
        metrics.finished("completed")
        metrics.update { $0.earnedSat += 21; $0.running = 1 }
        let text = metrics.values.prometheusText()
        #expect(text.contains("loom_requests_seen_total 2\n"))
        #expect(text.contains("loom_requests_dropped_total 1\n"))
        #expect(text.contains("loom_requests_rejected_total{reason=\"token-spent\"} 1\nloom_requests_rejected_total{reason=\"underpaid\"} 2\n"),
                "labelled samples sorted by label")
        #expect(text.contains("loom_jobs_finished_total{state=\"completed\"} 1\n"))
        #expect(text.contains("loom_earned_sat_total 21\n"))
        #expect(text.contains("loom_jobs_running 1\n"))
        // Every family is introduced by HELP then TYPE, as scrapers expect.
        let lines = text.split(separator: "\n")
        for (i, line) in lines.enumerated() where line.hasPrefix("# TYPE") {
            #expect(lines[i - 1].hasPrefix("# HELP"))
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(WorkerMetrics.Values.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }

    @Test func endpointServesMetricsOnLoopback() async throws {
        let metrics = WorkerMetrics()
        metrics.requestSeen()
        let bound = AsyncStream.makeStream(of: Int.self)
        let app = MetricsEndpoint(metrics: metrics, port: 0)
            .makeApplication(logger: Logger(label: "test.metrics")) { port in bound.continuation.yield(port) }
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var ports = bound.stream.makeAsyncIterator()
        let port = try #require(await ports.next())
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(body.contains("loom_requests_seen_total 1\n"))
    }
}
