import Foundation
import LoomProtocol
import LoomTestSupport
import NostrRelay

/// Plays a plan against the stack: the clients' submissions, cancels and
/// double spends, the kills and restarts, the operator's look at the
/// wallet; then, with faults off, waits until every job has ended.
struct ChaosDriver: Sendable {
    let stack: ChaosStack
    let clients: ChaosClients
    let plan: ChaosPlan
    var timeline: Timeline { stack.timeline }

    func run() async {
        let start = ContinuousClock.now
        let worker = stack.workerKey.xOnlyPublicKey.hex
        @Sendable func at(_ offset: Double) async {
            try? await Task.sleep(until: start + .milliseconds(Int(max(0, offset) * 1000)), clock: .continuous)
        }
        await withTaskGroup(of: Void.self) { group in
            for ticket in clients.tickets {
                let job = ticket.job
                group.addTask {
                    await at(job.submitAt)
                    do {
                        try await clients.submit(ticket)
                        timeline.note(
                            "submit \(ticket.label)\(job.maxSeconds.map { " max \($0)s" } ?? "") \(job.numPredict) tokens")
                    } catch {
                        timeline.note("submit \(ticket.label) FAILED: \(error)")
                    }
                }
                if let after = job.cancelAfter {
                    group.addTask {
                        await at(job.submitAt + after)
                        do {
                            try await clients.cancel(ticket, worker: worker)
                            timeline.note("cancel \(job.label)")
                        } catch {
                            timeline.note("cancel \(job.label) FAILED: \(error)")
                        }
                    }
                }
                if let offset = job.doubleSpendAt {
                    group.addTask {
                        await at(job.submitAt + offset)
                        timeline.note("double spend \(job.label): \(await clients.spendItself(ticket))")
                    }
                }
            }
            group.addTask {
                for kill in plan.kills {
                    await at(kill.at)
                    await stack.killWorker()
                    try? await Task.sleep(for: .milliseconds(Int(kill.downFor * 1000)))
                    do { try await stack.startWorker() } catch { timeline.note("worker restart FAILED: \(error)") }
                }
            }
            group.addTask {
                await at(plan.operatorAt)
                await operatorLooks()
            }
            // Faults stay on for the whole window, so the jobs sent last meet them too.
            group.addTask { await at(plan.window) }
        }
    }

    /// `loom wallet balance` on the worker's wallet while it serves, as an
    /// operator would; preferably (waiting up to 15 s) while the proxy holds
    /// one of the worker's swaps, when another process settling the wallet's
    /// open operations hurts most.
    func operatorLooks() async {
        for _ in 0..<30 {
            if ((try? await stack.proxy.heldPaths()) ?? []).contains("/v1/swap") { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        guard let folder = stack.walletDirectory else { return timeline.note("operator: no wallet folder yet") }
        timeline.mark("operator's `loom wallet balance` begins")
        let outcome = await withTaskGroup(of: LoomCLI.Outcome?.self) { group in
            group.addTask {
                try? await LoomCLI.run(["wallet", "balance", "--data-dir", folder.path, "--mint", stack.proxy.url, "--json"])
            }
            // A wallet command stuck on faulted mint calls must not hold the run.
            group.addTask {
                try? await Task.sleep(for: .seconds(120)); return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        timeline.mark(
            "operator's `loom wallet balance` → "
                + (outcome.map { "exit \($0.status): \($0.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))" }
                    ?? "gave up after 120 s"))
    }

    /// Faults are off: gives the worker every chance to settle. First up to
    /// 75 s serving, long enough for its own retries of unsettled jobs and
    /// wallet operations (every `RETRY_INTERVAL` = 5 s, each backing off) to
    /// run several times; then a graceful restart, whose recovery settles
    /// what is left, and up to 30 s more; then SIGTERM.
    func settle() async throws {
        if !(stack.worker?.isRunning ?? false) { try await stack.startWorker(waitUntilServing: .seconds(90)) }
        let observer = try RelayPool(urls: [stack.relay.url])
        await waitForEndings(observer, upTo: 75)
        _ = await stack.stopWorker()
        try await stack.startWorker(waitUntilServing: .seconds(90))
        await waitForEndings(observer, upTo: 30)
        await observer.close()
        _ = await stack.stopWorker()
    }

    /// Polls the relay until every job has a final status or result.
    func waitForEndings(_ observer: RelayPool, upTo seconds: Double) async {
        let worker = stack.workerKey.xOnlyPublicKey.hex
        let ids = Set(clients.tickets.map(\.id))
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var open = ids
        while ContinuousClock.now < deadline {
            let endings = await Observation.endings(pool: observer, worker: worker)
            open = ids.filter { !(endings[$0]?.isTerminal ?? false) }
            if open.isEmpty { break }
            try? await Task.sleep(for: .seconds(2))
        }
        timeline.note(open.isEmpty ? "every job has ended" : "\(open.count) job(s) not ended after \(Int(seconds)) s")
    }
}
