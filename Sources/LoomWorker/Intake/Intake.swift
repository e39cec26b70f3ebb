import Cashu
import CashuWallet
import Foundation
import LoomProtocol
import Nostr

/// From a relay event to a paid, placed job — or a specific refusal.
extension Worker {
    /// A request admitted, its place reserved: `run` swaps its token (`pay`) in a task of its own.
    struct Payment: Sendable {
        let admission: Admission
        let event: Event
    }

    func receive(_ event: Event) async -> Payment? {
        switch event.kind {
        case LoomKind.jobRequest.rawValue: return await intake(event)
        case LoomKind.jobCancel.rawValue: cancel(event)
        default: break
        }
        return nil
    }

    /// Cheapest checks first (`RequestOpener`), then the worker's terms,
    /// then the mint. Each request id is handled once per process (`seen`)
    /// and once ever (the journal). Returns the payment to swap.
    func intake(_ event: Event) async -> Payment? {
        guard seen.insert(event.id).inserted else { return nil }
        if seen.count > 100_000 { seen = [event.id] }  // the journal still dedupes; this only bounds memory
        let access = self.access
        let opened: OpenedRequest
        do {
            opened = try opener.open(event, isAllowed: { access.allows($0) })
        } catch {
            switch error.code {
            // Decided before the event is known to be authentic: answering would
            // let anyone make the worker publish.
            case .wrongKind, .wrongWorker, .tooLarge, .notWhitelisted, .badSignature:
                dropped += 1
                logger.debug("request dropped", metadata: ["id": "\(event.id)", "code": "\(error.code.rawValue)"])
            default:
                guard (try? journal.contains(event.id)) == false else { return nil }
                await refuse(event.id, client: event.pubkey, error)
            }
            return nil
        }
        lastOpened = (opened.id, .now)
        // A request journaled before (seen by an earlier run) is neither
        // refused again nor taken twice: `refuseIfNew` reads the journal
        // before a refusal, and `pay`'s insert finds it on the way in.
        guard accepting, servingOpen else {
            await refuseIfNew(opened, .notAccepting)
            return nil
        }
        if !offered.contains(opened.request.model) { await refreshModels() }
        let admission: Admission
        do { admission = try Admission(opened, terms: terms) } catch {
            await refuseIfNew(opened, error, relays: opened.relays)
            return nil
        }
        guard scheduler.reserve() else {
            await refuseIfNew(opened, .workerBusy)
            return nil
        }
        // Counted from here: shutdown must wait for this payment even before its task starts.
        paying += 1
        return Payment(admission: admission, event: event)
    }

    /// A refusal of a request the journal does not know yet.
    private func refuseIfNew(_ opened: OpenedRequest, _ why: RequestRejection, relays: [String] = []) async {
        do { if try journal.contains(opened.id) { return } } catch {
            logger.error("journal unreadable", metadata: ["error": "\(error)"])
            return
        }
        await refuse(opened.id, client: opened.client, why, relays: relays)
    }

    func paymentDone() {
        paying -= 1
        drainedIfIdle()
    }

    /// Journals the job with its token and the price it was admitted at,
    /// checks the token offline, fetches its input blob if it has one, then swaps it. Until the swap succeeds
    /// nothing is taken and a refusal is `rejected`.
    func pay(_ admission: Admission, event: Event) async {
        let opened = admission.request
        let id = opened.id
        let rate = configuration.rate
        let record = JobRecord(
            id: id, client: opened.client, model: opened.request.model, mint: admission.token.mint,
            requestEvent: event.json, state: .received, paidSat: admission.paid.value,
            receivedAt: Event.now(), expiresAt: opened.expiresAt, rate: rate)
        // The offline check and the hold on the proofs ask no mint and need
        // no journal: the DLEQ math runs while the insert's fsync waits for the disk.
        async let claiming = desk.claim(admission.token)
        let inserted: Bool
        do { inserted = try journal.insert(record) } catch {
            inserted = false
            logger.error("job not journaled; request ignored", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        let claim = await claiming
        // Held until the swap takes it (`take`, `admitEarly`), let go on any other way out.
        var held = try? claim.get()
        defer { if let held { desk.release(held) } }
        guard inserted else { return scheduler.release() }
        live[id] = LiveJob(opened: opened)
        logger.info(
            "job received", metadata: ["job": "\(id)", "model": "\(opened.request.model)", "paid_sat": "\(admission.paid)"])
        // A job that starts before its swap (early admission) goes from here
        // to the backend with nothing signed on the way: its first status is
        // `running`. Any other job says `received` before it waits for a
        // download or the mint (a token refused offline is just `rejected`).
        let receivedStatus = JobStatus(status: .received)
        var announced = false
        let budget: UInt64
        let received: Received?
        do throws(RequestRejection) {
            let proofs = try claim.get()
            budget = try admission.budgetSeconds(inputFee: proofs.fee, rate: rate)
            // Last before the swap: a payment that would be refused costs no
            // download, and a blob missing or not the one named takes nothing.
            if case .blob = opened.request.input {
                await statuses.publish(receivedStatus, job: id, client: opened.client)
                announced = true
                live[id]?.opened = try await resolveInput(opened)
            }
            if live[id]?.control.stopReason == .cancelled { return await cancelBeforePayment(id, client: opened.client) }
            held = nil  // the swap's from here
            if placeEarly(admission, budget: budget) {
                return await admitEarly(id, admission: admission, budget: budget, claim: proofs)
            }
            if !announced { await statuses.publish(receivedStatus, job: id, client: opened.client) }
            let swapping = ContinuousClock.now
            received = try await desk.take(proofs, job: id)
            live[id]?.swap = .now - swapping
        } catch {
            scheduler.release()
            return await refuse(id, client: opened.client, error, journaled: true, relays: opened.relays)
        }
        guard let received else {
            // The mint's answer is unknown; the wallet journaled the swap and
            // the periodic retry settles it (then this job is paid or refused).
            scheduler.release()
            live[id] = nil
            await waitForMint(id, client: opened.client, state: .received)
            return
        }
        await paid(id, received: received, budget: budget, reserved: true)
    }

    /// The money is the worker's now: journal it, then place the job — or,
    /// when the mint confirmed it too late for the client, refund it all.
    func paid(_ id: String, received: Received, budget: UInt64, reserved: Bool) async {
        guard let job = live[id] else { return }
        let record: JobRecord?
        do {
            record = try journal.move(id, to: .paymentVerified) {
                $0.inputFeeSat = received.fee.value
                $0.budgetSeconds = budget
                $0.waiting = nil
            }
        } catch {
            record = nil
            logger.critical("paid job not journaled", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        await statuses.publish(JobStatus(status: .paymentVerified, budgetSeconds: budget), job: id, client: job.opened.client)
        if reserved { scheduler.release() }
        if let record, Event.now() >= paymentDeadline(record) {
            logger.warning("payment confirmed after the job's deadline; refunded in full", metadata: ["job": "\(id)"])
            tasks[id] = Task {
                await self.settle(
                    id, end: .failed(.workerShutdown, detail: "payment confirmed late"), output: "", usage: nil,
                    elapsedMs: 0, failure: Self.paymentLate)
            }
            return
        }
        guard accepting else {
            // Shutdown began while the payment was being swapped: refund it all.
            tasks[id] = Task { await self.settle(id, end: .stopped(.shutdown), output: "", usage: nil, elapsedMs: 0) }
            return
        }
        guard servingOpen else {
            // The serving policy turned off while the payment was being swapped: as a queued job, refunded in full.
            let failure = Self.notServing
            tasks[id] = Task {
                await self.settle(id, end: .stopped(.shutdown), output: "", usage: nil, elapsedMs: 0, failure: failure)
            }
            return
        }
        switch scheduler.place(id, reserved: false) {
        case .start:
            start(id)
        case .queued(let position):
            _ = try? journal.move(id, to: .queued)
            await statuses.publish(
                JobStatus(status: .queued, budgetSeconds: budget, queuePosition: position),
                job: id, client: job.opened.client)
        }
    }

    /// The last moment a payment may be confirmed for its job to run: the
    /// request's own expiration, or `PAYMENT_DEADLINE` after it arrived.
    func paymentDeadline(_ record: JobRecord) -> Int64 {
        let limit = record.receivedAt + configuration.paymentDeadline.components.seconds
        return min(record.expiresAt ?? limit, limit)
    }

    /// A failure code of the worker's own: the mint confirmed the payment
    /// only after the job's deadline, so it did not run.
    static let paymentLate = Reason(
        code: "payment-late",
        message: "the mint confirmed the payment after the job's deadline; refunded in full")

    /// Marks a job as waiting on the mint and tells the client, once per
    /// state: the status names what the worker is waiting for.
    func waitForMint(_ id: String, client: String, state: JobState, budget: UInt64? = nil) async {
        guard let record = try? journal.job(id), record.waiting == nil else { return }
        _ = try? journal.update(id) { $0.waiting = WaitingReason.mint }
        let message =
            state == .received
            ? "the mint has not confirmed the payment yet; the worker keeps asking, and refunds it in full if it comes too late"
            : "the job is done; the mint has not made the change yet; the worker keeps asking"
        await statuses.publish(
            JobStatus(status: state, budgetSeconds: budget, reason: Reason(code: WaitingReason.mint, message: message)),
            job: id, client: client)
    }

    /// A `rejected` status (journaled, so a later copy is not judged again).
    /// Signed here, sent in the background: intake never waits for a relay's
    /// OK on a refusal, and at most one of the client's relays gets it.
    func refuse(_ id: String, client: String, _ why: RequestRejection, journaled: Bool = false, relays: [String] = []) async {
        rejected += 1
        live[id] = nil
        logger.info("request rejected", metadata: ["job": "\(id)", "code": "\(why.code.rawValue)"])
        do {
            if journaled {
                try journal.move(id, to: .rejected) {
                    $0.reasonCode = why.code.rawValue; $0.requestEvent = nil
                }
            } else {
                var record = JobRecord(id: id, client: client, state: .rejected, receivedAt: Event.now())
                record.reasonCode = why.code.rawValue
                try journal.insert(record)
            }
        } catch {
            logger.error("rejection not journaled", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        guard let status = await statuses.reject(why, job: id, client: client) else { return }
        statuses.clientRelays.deliverRefusal([status], to: relays)
    }

    func cancelBeforePayment(_ id: String, client: String) async {
        scheduler.release()
        live[id] = nil
        _ = try? journal.move(id, to: .cancelled) {
            $0.requestEvent = nil; $0.finishedAt = Event.now()
        }
        await statuses.publish(JobStatus(status: .cancelled), job: id, client: client)
    }

    /// A kind-5102 from the request's author stops its job; others are ignored.
    func cancel(_ event: Event) {
        guard let cancel = try? JobCancel.parse(event), let job = live[cancel.requestID],
            cancel.cancels(job.opened, worker: workerHex)
        else { return }
        logger.info("job cancelled by client", metadata: ["job": "\(cancel.requestID)"])
        job.control.stop(.cancelled)
        if scheduler.dequeue(cancel.requestID) {
            // Never started: settle now, billed as a normal end (the client chose to stop).
            let id = cancel.requestID
            tasks[id] = Task { await self.settle(id, end: .stopped(.cancelled), output: "", usage: nil, elapsedMs: 0) }
        }
    }
}
