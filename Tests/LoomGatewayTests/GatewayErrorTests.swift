import Foundation
import LoomClient
import LoomJSON
import LoomProtocol
import Nostr
import Secp256k1
import Testing

@testable import LoomGateway

/// Errors as HTTP statuses and OpenAI's error body; outcomes as verdicts.
struct GatewayErrorTests {
    @Test func statusesAndCodes() throws {
        let cases: [(GatewayError, Int, String)] = [
            (.badRequest("x"), 400, "invalid_request"), (.unauthorized, 401, "invalid_api_key"),
            (.insufficientFunds("x"), 402, "insufficient_funds"), (.overCallCap("x"), 402, "over_call_cap"),
            (.modelNotFound("x"), 404, "model_not_found"), (.workersBusy("x"), 503, "workers_busy"),
            (.workerFailed("x"), 502, "worker_failed"),
        ]
        for (error, status, code) in cases {
            #expect(error.status == status && error.code == code)
        }
        #expect(
            try json(SSE.json(GatewayError.modelNotFound("no m").body))
                == json(#"{"error":{"message":"no m","type":"invalid_request_error","code":"model_not_found","param":null}}"#))
    }

    static func outcome(
        _ status: JobOutcome.Status, code: String? = nil, progress: Bool = false, output: String? = nil
    )
        -> JobOutcome
    {
        var o = JobOutcome(jobID: "j", worker: "w", status: status)
        o.error = code.map { Reason(code: $0, message: "because") }
        o.output = output
        if progress { o.lastProgress = try? JSONDecoder().decode(JobProgress.self, from: Data(progressJSON.utf8)) }
        return o
    }

    static let progressJSON =
        #"{"job_id":"j","status":"running","elapsed_ms":1,"tokens":0,"cost_msat":0,"at":1}"#

    @Test func verdicts() {
        #expect(AttemptVerdict.judge(Self.outcome(.completed, output: "hi"), statusTimeoutSeconds: 5) == .answered("hi"))
        for code in ["worker-busy", "not-accepting"] {
            guard case .tryNext = AttemptVerdict.judge(Self.outcome(.rejected, code: code), statusTimeoutSeconds: 5) else {
                Issue.record("\(code) should fail over")
                continue
            }
        }
        var reclaimed = Self.outcome(.timeout)
        reclaimed.reclaimedSat = 21
        guard case .tryNext(let why) = AttemptVerdict.judge(reclaimed, statusTimeoutSeconds: 5) else {
            Issue.record("silence with the payment reclaimed should fail over")
            return
        }
        #expect(why.contains("5 s"))
        // Issue 17 (3): silent, but the reclaim failed (spent: the worker took it; or the mint
        // could not say). Failing over then paid a second worker for the same call.
        guard case .failed(let kept) = AttemptVerdict.judge(Self.outcome(.timeout), statusTimeoutSeconds: 5) else {
            Issue.record("silence without the payment back must not fail over")
            return
        }
        #expect(kept.status == 502 && kept.message.contains("loom job watch"))
        guard case .failed(let late) = AttemptVerdict.judge(Self.outcome(.timeout, progress: true), statusTimeoutSeconds: 5)
        else {
            Issue.record("a job that started and then timed out holds the money: no failover")
            return
        }
        #expect(late.status == 502 && late.message.contains("loom job watch"))
        #expect(AttemptVerdict.judge(Self.outcome(.rejected, code: "bad-schema"), statusTimeoutSeconds: 5) != .answered(""))
        if case .failed(let e) = AttemptVerdict.judge(Self.outcome(.rejected, code: "bad-schema"), statusTimeoutSeconds: 5) {
            #expect(e.status == 400)
        }
        if case .failed(let e) = AttemptVerdict.judge(Self.outcome(.failed, code: "backend-error"), statusTimeoutSeconds: 5) {
            #expect(e.status == 502)
        } else {
            Issue.record("a failed job is a 502")
        }
        if case .failed(let e) = AttemptVerdict.judge(Self.outcome(.completed), statusTimeoutSeconds: 5) {
            #expect(e.status == 502)
        } else {
            Issue.record("a completed job without output is a 502")
        }
    }

    /// Issue 17 (8): a job the worker took and refunded unserved (its policy turned
    /// off, it shut down) is no answer: the next worker may give one. It used to be a 502.
    @Test func aJobRefundedUnservedFailsOver() {
        for code in ["not-serving", "not-accepting", "worker-shutdown", "payment-late"] {
            guard case .tryNext = AttemptVerdict.judge(Self.outcome(.failed, code: code), statusTimeoutSeconds: 5) else {
                Issue.record("\(code) should fail over")
                continue
            }
        }
        var cheated = Self.outcome(.failed, code: "not-serving")
        cheated.findings = [.fakeChange]
        guard case .failed = AttemptVerdict.judge(cheated, statusTimeoutSeconds: 5) else {
            Issue.record("a refund in fake change is no refund: the call ends, the worker is avoided")
            return
        }
    }

    @Test func modelsAreTheUnionWithBestPriceAndCount() throws {
        let a = try offer("a", price: 3000, models: ["m", "n"]), b = try offer("b", price: 1000, models: ["m"])
        let list = ModelListing.list([a, b])
        #expect(list.map(\.id) == ["m", "n"])
        #expect(list[0].workers == 2 && list[0].bestMsatPerSecond == 1000)
        #expect(list[1].workers == 1 && list[1].bestMsatPerSecond == 3000)
        #expect(ModelListing.page(list).objectValue?["object"] == "list")
    }

    @Test func workerHeaderTakesNpubsAndHexInOrder() throws {
        let a = try offer("a", price: 1), b = try offer("b", price: 1)
        let npubA = try XOnlyPublicKey(hex: a.worker).npub
        #expect(try GatewayServer.pinnedWorkers("\(npubA), \(b.worker)") == [a.worker, b.worker])
        #expect(try GatewayServer.pinnedWorkers("auto") == nil)
        #expect(try GatewayServer.pinnedWorkers(nil) == nil)
        #expect(throws: GatewayError.self) { try GatewayServer.pinnedWorkers("npub1nope") }
        #expect(GatewayConfiguration.isLoopback("127.0.0.1") && GatewayConfiguration.isLoopback("::1"))
        #expect(!GatewayConfiguration.isLoopback("0.0.0.0"))
    }
}
