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
                if !settled.isEmpty { logger.info("wallet operations settled", metadata: ["mint": "\(mint)", "count": "\(settled.count)"]) }
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

    /// What a running worker retries on its own (every `retryInterval`, a minute by default):
    /// results no relay took yet, endings whose change the mint could not
    /// make, and payments whose swap outcome the mint did not tell. Jobs
    /// this process is still working on are left alone.
    func retryUnsettled() async {
        guard accepting, let jobs = try? journal.unfinished() else { return }
        let stuck = jobs.filter { record in
            guard tasks[record.id] == nil, !scheduler.running.contains(record.id), scheduler.position(record.id) == nil else { return false }
            if record.state.isTerminal { return true }
            if record.state == .received { return live[record.id] == nil }
            return record.ending != nil
        }
        guard !stuck.isEmpty else { return }
        for mint in Set(stuck.filter { $0.state == .received }.map(\.mint)) {
            _ = try? await desk.wallet(mint)?.recover()
        }
        for record in stuck { await recover(record) }
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
            switch scheduler.place(id, reserved: false) {
            case .start: start(id)
            case .queued(let position):
                if record.state != .queued { _ = try? journal.move(id, to: .queued) }
                await statuses.publish(JobStatus(status: .queued, budgetSeconds: record.budgetSeconds, queuePosition: position),
                                       job: id, client: record.client)
            }
        case .running, .uploading:
            // Served up to the last journaled progress; billed for that only.
            await finish(record, failure: .workerRestarted)
        default:
            break
        }
    }

    /// A crash between journaling the job and the swap's answer: the wallet
    /// (recovered first) knows whether the token became ours.
    func recoverPayment(_ record: JobRecord, opened: OpenedRequest) async {
        let id = record.id
        guard let wallet = desk.wallet(record.mint) else { return }
        do {
            if let received = try await wallet.receipt(of: opened.request.payment) {
                let budget = try Pricing.budgetSeconds(paid: received.amount, inputFee: received.fee, rate: configuration.rate,
                                                       requestMaxSeconds: opened.request.maxSeconds)
                return await paid(id, received: received, budget: budget, reserved: false)
            }
        } catch {
            logger.warning("payment state unknown; retried at next start", metadata: ["job": "\(id)", "error": "\(error)"])
            live[id] = nil
            return
        }
        // Never swapped: take it now if the request is still wanted.
        if let expiresAt = record.expiresAt, Event.now() >= expiresAt {
            return await refuse(id, client: record.client, .expired(at: expiresAt), journaled: true)
        }
        guard let admission = try? Admission(opened, terms: terms) else {
            return await refuse(id, client: record.client, .notAccepting, journaled: true)
        }
        do throws(RequestRejection) {
            let fee = try await desk.inspect(opened.request.payment, mint: record.mint)
            let budget = try admission.budgetSeconds(inputFee: fee, rate: configuration.rate)
            guard let received = try await desk.take(opened.request.payment, mint: record.mint) else { return }
            await paid(id, received: received, budget: budget, reserved: false)
        } catch {
            await refuse(id, client: record.client, error, journaled: true)
        }
    }

    /// Settles a job the worker cannot run now, for the journaled seconds
    /// served — or, when it had already ended, as it ended.
    func finish(_ record: JobRecord, failure: JobFailure) async {
        await settle(record.id, end: .failed(failure, detail: failure.message), output: "", usage: nil, elapsedMs: record.elapsedMs)
    }

    /// The journaled request, opened again as of when it arrived (its
    /// expiration is judged separately: a paid job is settled regardless).
    func reopen(_ record: JobRecord) -> OpenedRequest? {
        guard let json = record.requestEvent, let event = try? Event(json: json) else { return nil }
        return try? opener.open(event, now: event.createdAt)
    }
}
