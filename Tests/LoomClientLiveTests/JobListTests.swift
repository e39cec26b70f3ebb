import Foundation
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomClient

extension ClientSuites {
    /// `loom job list` reads the client journal only (no relay, no mint):
    /// newest first, the filters, and never a token on the screen.
    @Suite(.serialized)
    struct JobListTests {
        /// Shaped like tokens; neither may ever be printed.
        static let payment = "cashuBpaymentSecretThatMustNotBePrinted"
        static let change = "cashuBchangeSecretThatMustNotBePrinted"
        static let client = SecretKey.generate()
        static let worker = SecretKey.generate().xOnlyPublicKey

        static func list(_ dir: URL, _ more: [String] = []) async throws -> LoomCLI.Outcome {
            try await LoomCLI.run(["job", "list", "--data-dir", dir.path] + more)
        }

        @Test func anEmptyJournalSaysSo() async throws {
            let dir = temporaryDirectory("list")
            let none = try await Self.list(dir)
            #expect(none.status == 0)
            #expect(none.stderr.contains("no jobs in \(dir.path)/jobs"), "\(none.output)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("jobs").path), "listing creates nothing")

            _ = try ClientJournal(dataDirectory: dir)
            let empty = try await Self.list(dir)
            #expect(empty.status == 0 && empty.stderr.contains("no jobs in"), "\(empty.output)")
            let json = try await Self.list(dir, ["--json"])
            #expect(json.status == 0)
            #expect(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")

            let zero = try await Self.list(dir, ["--limit", "0"])
            #expect(zero.status == 64)
            #expect(zero.stderr.contains("--limit must be at least 1"), "\(zero.stderr)")
        }

        @Test func settledAndUnsettledJobsNewestFirst() async throws {
            let dir = temporaryDirectory("list")
            let journal = try ClientJournal(dataDirectory: dir)
            let now = Event.now()
            let settled = try journaledJob(
                at: now - 300, model: "llama3.2:3b", stage: .settled, client: Self.client, worker: Self.worker,
                lastState: "completed")
            let paying = try journaledJob(
                at: now - 200, model: "qwen2.5:7b", stage: .submitted, client: Self.client, worker: Self.worker,
                reclaimable: Self.payment)
            // Written before the journal kept the model: it is simply unknown.
            let changing = try journaledJob(
                at: now - 100, model: nil, stage: .submitted, client: Self.client, worker: Self.worker, lastState: "failed",
                pendingChange: Self.change)
            for job in [settled, paying, changing] { try journal.save(job) }

            let all = try await Self.list(dir)
            #expect(all.status == 0, "\(all.stderr)")
            let lines = all.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 5, "three jobs and the hint: \(all.stdout)")
            // Not a terminal: full ids, so they can be pasted into `loom job watch`.
            #expect(lines.prefix(3).map { String($0.prefix(64)) } == [changing.jobID, paying.jobID, settled.jobID])
            #expect(
                lines[0].contains("model unknown") && lines[0].contains("submitted: failed")
                    && lines[0].contains("in flight: change not yet redeemed"), "\(lines[0])")
            #expect(
                lines[1].contains("qwen2.5:7b") && lines[1].contains("submitted: no final state yet")
                    && lines[1].contains("in flight: payment we may reclaim"), "\(lines[1])")
            #expect(
                lines[2].contains("llama3.2:3b") && lines[2].contains("settled: completed") && !lines[2].contains("in flight"))
            #expect(lines[1].contains(String(Self.worker.npub.prefix(12))) && lines[1].contains("25 sat"))
            #expect(lines[3].hasPrefix("2 not settled") && lines[4] == "  loom job watch \(changing.jobID)", "\(all.stdout)")

            let open = try await Self.list(dir, ["--unsettled"])
            #expect(open.stdout.split(separator: "\n").prefix(2).map { String($0.prefix(64)) } == [changing.jobID, paying.jobID])
            #expect(!open.stdout.contains(settled.jobID))
            let newest = try await Self.list(dir, ["--limit", "1"])
            #expect(newest.stdout.hasPrefix(changing.jobID) && !newest.stdout.contains(paying.jobID), "\(newest.stdout)")

            let json = try await Self.list(dir, ["--json"])
            #expect(json.status == 0)
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
            #expect(rows.map { $0["job_id"] as? String } == [changing.jobID, paying.jobID, settled.jobID])
            let keys: Set = [
                "job_id", "worker", "model", "paid_sat", "mint", "payment_source", "stage", "last_state", "created_at",
                "has_reclaimable_token", "has_pending_change", "money_in_flight", "note", "via", "cost_sat", "charged_sat",
                "cause",
                "findings",
            ]
            #expect(rows.allSatisfy { Set($0.keys) == keys }, "every key, null when unknown: \(json.stdout)")
            #expect(
                rows[0]["model"] is NSNull && rows[0]["has_pending_change"] as? Bool == true
                    && rows[0]["has_reclaimable_token"] as? Bool == false && rows[0]["money_in_flight"] as? Bool == true)
            #expect(
                rows[1]["model"] as? String == "qwen2.5:7b" && rows[1]["has_reclaimable_token"] as? Bool == true
                    && rows[1]["stage"] as? String == "submitted" && rows[1]["last_state"] is NSNull)
            #expect(
                rows[2]["stage"] as? String == "settled" && rows[2]["last_state"] as? String == "completed"
                    && rows[2]["money_in_flight"] as? Bool == false)
            #expect(rows[2]["worker"] as? String == Self.worker.npub && rows[2]["created_at"] as? Int == Int(now - 300))

            let openJSON = try await Self.list(dir, ["--json", "--unsettled", "--limit", "1"])
            let openRows = try JSONSerialization.jsonObject(with: Data(openJSON.stdout.utf8)) as? [[String: Any]]
            #expect(openRows?.map { $0["job_id"] as? String } == [changing.jobID])

            for run in [all, open, newest, json, openJSON] {
                #expect(!run.output.contains("cashu") && !run.output.contains("Secret"), "a token was printed: \(run.output)")
            }
        }

        @Test func onlySettledJobsUnderUnsettledSaySo() async throws {
            let dir = temporaryDirectory("list")
            try ClientJournal(dataDirectory: dir).save(
                try journaledJob(
                    at: Event.now(), model: "llama3.2:3b", stage: .settled, client: Self.client, worker: Self.worker,
                    lastState: "rejected"))
            let r = try await Self.list(dir, ["--unsettled"])
            #expect(r.status == 0)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains("no unsettled jobs in \(dir.path)/jobs (1 settled"), "\(r.stderr)")
        }
    }
}
