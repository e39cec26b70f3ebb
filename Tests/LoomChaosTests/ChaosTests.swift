import Cashu
import Foundation
import LoomTestSupport
import Testing

/// The chaos suites start a mint, a relay and a worker each; one at a time,
/// so a 2-core machine runs the chaos at the pace the plan assumes.
@Suite(.serialized) enum ChaosSuites {}

extension ChaosSuites {
    /// Paid jobs from three clients while the mint misbehaves (dropped,
    /// refused, late, garbled answers, outages) and `loom worker run` is
    /// SIGKILLed and restarted; afterwards every sat is accounted for at the
    /// mint. docs/TESTING.md, "Chaos", lists the invariants.
    @Suite struct ChaosTests {
        /// `LOOM_CHAOS_SEED`, else 1 (the seed `make test` runs).
        static func seed() throws -> UInt64 {
            guard let text = ProcessInfo.processInfo.environment["LOOM_CHAOS_SEED"], !text.isEmpty else { return 1 }
            guard let seed = UInt64(text) else { throw ChaosFailure("LOOM_CHAOS_SEED=\(text) is not a whole number") }
            return seed
        }

        @Test(
            .enabled(if: FileManager.default.isExecutableFile(atPath: LoomCLI.binary), "needs `swift build` to have built loom"),
            .timeLimit(.minutes(10)))
        func everySatIsAccountedFor() async throws {
            let seed = try Self.seed()
            print("chaos seed \(seed) (LOOM_CHAOS_SEED=\(seed)): \(ChaosPlan(seed: seed).summary)")
            // A run that breaks down before its verdict still names its seed.
            do { try await run(seed: seed) } catch {
                Issue.record(
                    "chaos seed \(seed) (LOOM_CHAOS_SEED=\(seed)) did not finish: \(error); logs in .build/chaos/seed-\(seed)")
            }
        }

        func run(seed: UInt64) async throws {
            let plan = ChaosPlan(seed: seed)
            let began = ContinuousClock.now
            let stack = try await ChaosStack(seed: seed)
            let clients = try await ChaosClients(stack: stack)
            try await clients.prepare(plan, worker: stack.workerKey.xOnlyPublicKey)
            try await stack.startWorker(waitUntilServing: .seconds(60))

            try await stack.proxy.setFaults(enabled: true)
            stack.timeline.restart()
            stack.timeline.note("faults on: \(plan.summary)")
            let driver = ChaosDriver(stack: stack, clients: clients, plan: plan)
            await driver.run()
            try await stack.proxy.setFaults(enabled: false)
            stack.timeline.note("faults off")
            try await driver.settle()

            let observation = try await Observation.read(tickets: clients.tickets, stack: stack)
            var spentByClient: [String: Bool?] = [:]
            for ticket in clients.tickets { spentByClient[ticket.id] = await clients.spentByClient(ticket) }
            let decisions = try stack.proxy.decisions()
            var ledger = ChaosLedger(
                tickets: clients.tickets, observation: observation, clientSpent: spentByClient, decisions: decisions)
            ledger.check()
            await redeemChange(observation, clients: clients, ledger: &ledger)
            if let folder = stack.walletDirectory {
                let audit = try await LoomCLI.run(["wallet", "audit", "--data-dir", folder.path, "--mint", stack.proxy.url])
                if audit.status != 0 {
                    ledger.fail(
                        nil,
                        "`loom wallet audit` exits \(audit.status): \(audit.output.trimmingCharacters(in: .whitespacesAndNewlines))"
                    )
                }
            }
            await clients.close()

            let report = ChaosReport(
                plan: plan, ledger: ledger, observation: observation, decisions: decisions,
                origin: stack.timeline.origin, root: stack.root, elapsed: ContinuousClock.now - began,
                marksSeen: stack.timeline.marks
            ).text
            try report.write(to: stack.root.appendingPathComponent("report.txt"), atomically: true, encoding: .utf8)
            print("chaos seed \(seed): \(ledger.violations.count) violation(s); report in \(stack.root.path)/report.txt")
            // The report, not the violations themselves: those hold tokens, which never reach a log.
            if !ledger.violations.isEmpty { Issue.record(Comment(rawValue: report)) }
        }

        /// The clients redeem their change, last: the mint's signature on each
        /// change proof is what a state check alone cannot see. Each client
        /// redeems all of its change in one token, since a 1-sat change alone
        /// does not cover the receiving swap's fee.
        func redeemChange(_ o: Observation, clients: ChaosClients, ledger: inout ChaosLedger) async {
            for client in ChaosPlan.Client.allCases {
                let tickets = clients.tickets.filter { $0.job.client == client }
                var proofs: [Proof] = [], jobs: [String] = []
                for ticket in tickets {
                    for change in Set((o.results[ticket.id] ?? []).compactMap({ $0.opened?.result.change })) {
                        let changeProofs = o.changeProofs[change] ?? []
                        // Change already spent at the mint is the ledger's to report.
                        guard changeProofs.allSatisfy({ (try? o.mint[$0.Y().hex]) == .unspent }) else { continue }
                        proofs += changeProofs
                        jobs.append(ticket.job.label)
                    }
                }
                guard !proofs.isEmpty, let wallet = clients.wallets[client] else { continue }
                do {
                    let token = try Token(mint: wallet.mint.url, unit: .sat, proofs: proofs).serializedV4()
                    _ = try await wallet.receive(token)
                } catch {
                    ledger.fail(
                        nil, "\(client.rawValue) cannot redeem the change of jobs \(jobs.joined(separator: " ")): \(error)")
                }
            }
        }
    }
}
