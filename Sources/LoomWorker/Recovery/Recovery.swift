import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import Nostr

/// What a start does before taking new requests: settle the wallets, then
/// every job a previous run left unfinished.
extension Worker {
    func recover() async {
        for (mint, wallet) in desk.wallets {
            do {
                let settled = try await wallet.recover()
                if !settled.isEmpty {
                    logger.info("wallet operations settled", metadata: ["mint": "\(mint)", "count": "\(settled.count)"])
                }
            } catch {
                logger.warning("wallet not recovered", metadata: ["mint": "\(mint)", "error": "\(error)"])
            }
        }
        let jobs: [JobRecord]
        do { jobs = try journal.unfinished() } catch {
            logger.error("journal unreadable", metadata: ["error": "\(error)"])
            return
        }
        for record in jobs { await recover(record) }
    }

    /// What a running worker retries on its own (every `retryInterval`):
    /// wallet operations whose answer the mint did not give (each on its
    /// own backoff), results no relay took yet, endings whose change the
    /// mint could not make, and payments whose swap outcome is unknown.
    /// Jobs this process is still working on are left alone; each job backs
    /// off (1, 2, 4 … intervals, at most 32) so a mint that stays down is
    /// not hammered.
    func retryUnsettled() async {
        guard accepting else { return }
        for (mint, wallet) in desk.wallets {
            do { _ = try await wallet.recover(force: false) } catch {
                logger.warning("wallet not recovered", metadata: ["mint": "\(mint)", "error": "\(error)"])
            }
        }
        guard let jobs = try? journal.unfinished() else { return }
        let now = Event.now()
        let stuck = jobs.filter { record in
            guard tasks[record.id] == nil, !scheduler.running.contains(record.id), scheduler.position(record.id) == nil,
                (record.nextRetryAt ?? 0) <= now
            else { return false }
            if record.state.isTerminal { return true }
            if record.state == .received { return live[record.id] == nil }
            return record.ending != nil
        }
        let interval = max(1, retryInterval.components.seconds)
        for record in stuck {
            let delay = interval << min(record.retries, 5)
            _ = try? journal.update(record.id) {
                $0.retries += 1; $0.nextRetryAt = now + delay
            }
            await recover(record)
        }
    }

    func recover(_ record: JobRecord) async {
        let id = record.id
        seen.insert(id)
        if record.state.isTerminal {
            if let json = record.resultEvent, let event = try? Event(json: json) { await publishResult(id, event: event) }
            return
        }
        guard let opened = reopen(record) else {
            logger.error("journaled request cannot be reopened", metadata: ["job": "\(id)"])
            return
        }
        live[id] = LiveJob(opened: opened)
        logger.info("recovering job", metadata: ["job": "\(id)", "state": "\(record.state)"])
        switch record.state {
        case .received:
            await recoverPayment(record, opened: opened)
        case .paymentVerified, .queued:
            if record.ending != nil { return await finish(record, failure: .workerRestarted) }
            if let expiresAt = record.expiresAt, Event.now() >= expiresAt {
                return await finish(record, failure: .workerRestarted)
            }
            guard servingOpen else {
                // Started paused (or off by the serving policy): as a queued job then, refunded in full.
                let failure = Self.notServing
                tasks[id] = Task {
                    await self.settle(id, end: .stopped(.shutdown), output: "", usage: nil, elapsedMs: 0, failure: failure)
                }
                return
            }
            // Paid, not run: its input blob, held in memory only, is fetched
            // again; if it cannot be, `execute` refunds the job in full.
            if case .blob = opened.request.input, let resolved = try? await resolveInput(opened) {
                live[id]?.opened = resolved
            }
            switch scheduler.place(id, reserved: false) {
            case .start: start(id)
            case .queued(let position):
                if record.state != .queued { _ = try? journal.move(id, to: .queued) }
                await statuses.publish(
                    JobStatus(status: .queued, budgetSeconds: record.budgetSeconds, queuePosition: position),
                    job: id, client: record.client)
            }
        case .running, .uploading:
            // Served up to the last journaled progress; billed for that only.
            await finish(record, failure: .workerRestarted)
        default:
            break
        }
    }

    /// A job journaled before its swap's answer was known: the wallet
    /// (recovered first) knows what became of the swap labelled with the job.
    func recoverPayment(_ record: JobRecord, opened: OpenedRequest) async {
        let id = record.id
        guard let wallet = desk.wallet(record.mint) else { return }
        let receipt: Receipt
        do { receipt = try await wallet.receipt(reference: id) } catch {
            logger.warning("payment state unreadable; retried", metadata: ["job": "\(id)", "error": "\(error)"])
            live[id] = nil
            return
        }
        // The price the job was admitted at, whatever it is now.
        let rate = record.rate(or: configuration.rate)
        switch receipt {
        case .taken(let received):
            // The fetched input lived in memory only: fetch it again (a
            // failure leaves the blob in place, and `execute` refunds the job).
            if let resolved = try? await resolveInput(opened) { live[id]?.opened = resolved }
            let budget =
                (try? Pricing.budgetSeconds(
                    paid: received.amount, inputFee: received.fee, rate: rate,
                    requestMaxSeconds: opened.request.maxSeconds)) ?? 0
            return await paid(id, received: received, budget: budget, reserved: false)
        case .spentElsewhere:
            return await refuse(id, client: record.client, .spent, journaled: true)
        case .open:
            live[id] = nil
            return await waitForMint(id, client: record.client, state: .received)
        case .none, .refused:
            break  // never taken: take it now, if it is still wanted
        }
        if Event.now() >= paymentDeadline(record) {
            return await refuse(id, client: record.client, .expired(at: paymentDeadline(record)), journaled: true)
        }
        var terms = self.terms
        terms.rate = rate
        guard let admission = try? Admission(opened, terms: terms) else {
            return await refuse(id, client: record.client, .notAccepting, journaled: true)
        }
        do throws(RequestRejection) {
            let fee = try await desk.inspect(opened.request.payment, mint: record.mint)
            let budget = try admission.budgetSeconds(inputFee: fee, rate: rate)
            if case .blob = opened.request.input { live[id]?.opened = try await resolveInput(opened) }
            guard let received = try await desk.take(opened.request.payment, mint: record.mint, job: id) else {
                live[id] = nil
                return await waitForMint(id, client: record.client, state: .received)
            }
            await paid(id, received: received, budget: budget, reserved: false)
        } catch {
            await refuse(id, client: record.client, error, journaled: true)
        }
    }

    /// Settles a job the worker cannot run now, for the journaled seconds
    /// served — or, when it had already ended, as it ended.
    func finish(_ record: JobRecord, failure: JobFailure) async {
        await settle(
            record.id, end: .failed(failure, detail: failure.message), output: "", usage: nil, elapsedMs: record.elapsedMs)
    }

    /// The journaled request, opened again as of when it arrived (its
    /// expiration is judged separately: a paid job is settled regardless).
    func reopen(_ record: JobRecord) -> OpenedRequest? {
        guard let json = record.requestEvent, let event = try? Event(json: json) else { return nil }
        return try? opener.open(event, now: event.createdAt)
    }
}
