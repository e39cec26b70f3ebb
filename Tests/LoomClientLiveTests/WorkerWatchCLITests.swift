import Foundation
import LoomClient
import LoomProtocol
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1
import Testing

/// `loom worker watch` through the command line, against a real relay.
@Suite struct WorkerWatchCLITests {
    @Test func printsEachStateChangeOnceAsJSONLines() async throws {
        let relay = try await TestRelay()
        let worker = SecretKey.generate()
        let client = SecretKey.generate().xOnlyPublicKey.hex
        // A status is addressable (one per job on a relay: the newest), so the
        // stored history is one state per job; three jobs give three lines.
        let jobs = ["c", "d", "e"].map { String(repeating: $0, count: 64) }
        let pool = try RelayPool(urls: [relay.url])
        await pool.connect()
        let now = Event.now()
        let statuses = [
            JobStatus(status: .queued, queuePosition: 1),
            JobStatus(status: .running, elapsedMs: 1000, tokens: 4, tokensPerSecond: 4),
            JobStatus(status: .completed, elapsedMs: 2500, costMsat: 3000, tokens: 10),
        ]
        for (offset, (job, status)) in zip(jobs, statuses).enumerated() {
            _ = try await pool.publish(
                status.sign(with: worker, requestID: job, client: client, createdAt: now - 10 + Int64(offset)))
        }
        await pool.close()
        let npub = try NIP19Entity.npub(worker.xOnlyPublicKey).encode()
        let run = try await LoomCLI.run(["worker", "watch", npub, "--relay", relay.url, "--json", "--duration", "5"])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.stdout.split(separator: "\n").map { String($0) }
        let states = try lines.map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(Set(states.map(\.state)) == ["queued", "running", "completed"], "one line per job: \(run.stdout)")
        #expect(Set(states.map(\.job)) == Set(jobs))
        #expect(states.first { $0.state == "completed" }.map { $0.earned_sat == 3 } == true)
    }

    @Test func aMalformedWorkerKeyIsRefused() async throws {
        let run = try await LoomCLI.run(["worker", "watch", "npub1notakey", "--relay", "ws://127.0.0.1:1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("worker"), "\(run.output)")
    }

    struct Line: Decodable {
        let state: String
        let job: String
        let earned_sat: UInt64
    }
}
