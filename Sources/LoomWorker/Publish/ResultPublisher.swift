import Blossom
import BlossomClient
import Cashu
import CashuWallet
import Foundation
import Inference
import Logging
import LoomProtocol
import Nostr
import Secp256k1

/// The end of a paid job: outputs to Blossom, the bill, the change, the
/// signed result — each journaled before the network call after it.
extension Worker {
    func settle(
        _ id: String, end: RunOutcome.End, output: String, usage: Inference.Usage?, elapsedMs: UInt64,
        failure: Reason? = nil
    ) async {
        defer { Task { await self.slotFreed(id) } }
        let began = ContinuousClock.now
        guard let job = live[id], var record = try? journal.job(id) else {
            logger.error("job to settle is unknown", metadata: ["job": "\(id)"])
            return
        }
        // Settled before a crash: finish that ending rather than judge the job again.
        if let saved = record.ending.flatMap({ try? JSONDecoder().decode(Ending.self, from: Data($0.utf8)) }) {
            return await conclude(id, ending: saved, record: record, job: job)
        }
        var ending: Ending
        switch end {
        case .completed, .stopped(.budget): ending = Ending(state: .completed, workerFault: false)
        case .stopped(.cancelled): ending = Ending(state: .cancelled, workerFault: false)
        case .stopped(.shutdown), .stopped(.unpaid):
            ending = Ending(state: .failed, workerFault: true, error: failure ?? JobFailure.workerShutdown.reason)
        case .failed(let f, _): ending = Ending(state: .failed, workerFault: true, error: failure ?? f.reason)
        }
        ending.usage = usage.map(JobResult.Usage.init)
        ending.elapsedMs = elapsedMs
        var uploaded: Duration?
        if !output.isEmpty {
            if record.state == .running, ending.state != .cancelled {
                record = (try? journal.move(id, to: .uploading) { $0.elapsedMs = elapsedMs }) ?? record
                await statuses.publish(
                    JobStatus(status: .uploading, elapsedMs: elapsedMs, budgetSeconds: record.budgetSeconds),
                    job: id, client: record.client)
            }
            let uploading = ContinuousClock.now
            (ending.outputs, ending.uploadError) = await upload(
                output, job: job, record: record, usage: ending.usage, elapsedMs: elapsedMs)
            uploaded = .now - uploading
        }
        do {
            let json = String(decoding: try JSONEncoder().encode(ending), as: UTF8.self)
            record = try journal.update(id) {
                $0.ending = json
                $0.elapsedMs = elapsedMs
            }
        } catch {
            logger.error("job ending not journaled", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        await conclude(id, ending: ending, record: record, job: job, began: began, uploaded: uploaded)
    }

    /// Bill, change, result: from a journaled ending, so a restart gives the
    /// client the same outcome it would have had. `began` and `uploaded` time
    /// the settling for the log (scripts/bench_gateway.sh prints them).
    func conclude(
        _ id: String, ending: Ending, record: JobRecord, job: LiveJob, began: ContinuousClock.Instant = .now,
        uploaded: Duration? = nil
    ) async {
        do {
            let billing = ContinuousClock.now
            let (bill, change) = try await settleMoney(
                id, record: record, lockTo: job.opened.request.lockChange ? record.client : nil,
                elapsedMs: ending.elapsedMs, cause: ending.cause)
            let billed = ContinuousClock.now
            let result = JobResult(
                status: ending.state, outputs: ending.outputs, usage: ending.usage, bill: bill, change: change,
                error: ending.error, uploadError: ending.uploadError)
            let event = try result.seal(requestID: id, to: try XOnlyPublicKey(hex: record.client), from: configuration.secretKey)
            try journal.move(id, to: ending.state) {
                $0.resultEvent = event.json
                $0.finishedAt = Event.now()
                $0.reasonCode = ending.error?.code
            }
            crash(at: "worker-after-result-stored")
            let cost = (try? Pricing.costMsat(rate: record.rate(or: configuration.rate), elapsedMs: ending.elapsedMs)) ?? 0
            // The final status and the result go out together: the client
            // waits for the result, which need not wait for the status's relay OK.
            async let finalStatus = statuses.publish(
                JobStatus(
                    status: ending.state, elapsedMs: ending.elapsedMs, costMsat: cost,
                    tokens: ending.usage?.completionTokens ?? 0, budgetSeconds: record.budgetSeconds,
                    reason: ending.error),
                job: id, client: record.client)
            await publishResult(id, event: event)
            let statusEvent = await finalStatus
            alsoDeliver([statusEvent, event].compactMap { $0 }, to: job.opened.relays)
            var timing: Logger.Metadata = [
                "money_ms": "\(Self.ms(billed - billing))", "settle_ms": "\(Self.ms(.now - began))",
            ]
            if let uploaded { timing["upload_ms"] = "\(Self.ms(uploaded))" }
            logger.info(
                "job settled",
                metadata: [
                    "job": "\(id)", "status": "\(ending.state)", "charged_sat": "\(bill.chargedSat)",
                    "change_sat": "\(bill.changeSat)",
                ].merging(timing) { $1 })
        } catch WalletError.pendingOutcome {
            // The change depends on a mint that has not answered: the ending
            // and the open send are journaled; the periodic retry finishes
            // the same send (never a second one).
            logger.warning("change waits for the mint; retried", metadata: ["job": "\(id)"])
            await waitForMint(id, client: record.client, state: record.state, budget: record.budgetSeconds)
        } catch {
            // The ending, the bill (if written) and the journaled wallet
            // operations survive; the retry and the next start finish this job.
            logger.error("job not settled; left for recovery", metadata: ["job": "\(id)", "error": "\(error)"])
        }
    }

    /// Uploads the output text and the transcript, each encrypted under its
    /// own fresh key: Blossom lists and serves blobs to anyone, so only the
    /// result (NIP-44, to the client) may say how to read them. Every server
    /// failing is reported in the result, never a reason to keep the client's change.
    func upload(
        _ output: String, job: LiveJob, record: JobRecord, usage: JobResult.Usage?,
        elapsedMs: UInt64
    ) async -> ([JobResult.Output], String?) {
        do {
            let transcript = try Transcript(
                requestID: record.id, request: job.opened.request, output: output, usage: usage,
                timings: .init(
                    receivedAt: record.receivedAt, startedAt: record.startedAt, finishedAt: Event.now(), elapsedMs: elapsedMs)
            ).encoded()
            // Both at once: the client waits for the result, and the result for the last upload.
            let blossom = self.blossom
            @Sendable func store(_ content: Data, _ type: String) async throws -> JobResult.Output {
                let sealed = try BlobEncryption.seal(content)
                // The server sees bytes of no particular kind; the type is in the result.
                let stored = try await blossom.upload(sealed.blob, type: MediaType.fallback)
                return sealed.output(url: stored.url, type: type)
            }
            async let text = store(Data(output.utf8), "text/plain")
            async let record = store(transcript, "application/json")
            return (try await [text, record], nil)
        } catch {
            logger.warning("outputs not uploaded", metadata: ["job": "\(record.id)", "error": "\(error)"])
            return ([], "the outputs could not be uploaded to any Blossom server: \(error)")
        }
    }

    /// The bill and the change. What is left after the charge (`rest`) is
    /// fixed by the journaled ending, so it needs no journaling of its own;
    /// the change swap spends exactly `rest` (token + the mint's fee, which
    /// only the wallet's choice of proofs decides), labelled with the job so
    /// a restart finds it instead of paying twice. The bill and the token are
    /// journaled together before anything is published.
    func settleMoney(
        _ id: String, record: JobRecord, lockTo client: String?, elapsedMs: UInt64,
        cause: Pricing.Cause
    ) async throws -> (Bill, String?) {
        if let saved = record.bill {
            return (try JSONDecoder().decode(Bill.self, from: Data(saved.utf8)), record.changeToken)
        }
        guard let wallet = desk.wallet(record.mint) else { throw JournalError.unknownJob(id) }
        let paid = Amount(record.paidSat), inputFee = Amount(record.inputFeeSat)
        // At the price the job was admitted at, whatever the price is now.
        let rate = record.rate(or: configuration.rate)
        func bill(changeFee: Amount) throws -> Bill {
            try Pricing.settle(
                paid: paid, inputFee: inputFee, changeFee: changeFee, rate: rate,
                elapsedMs: elapsedMs, budgetSeconds: record.budgetSeconds, cause: cause)
        }
        let rest = try bill(changeFee: .zero).changeSat
        crash(at: "worker-after-bill")
        var final = try bill(changeFee: rest)  // all dust, unless a change is made below
        var token: String?
        if rest > .zero {
            let memo = Self.changeMemo(id)
            let lock = try client.map { try PublicKey(compressed: [0x02] + (try XOnlyPublicKey(hex: $0)).bytes) }
            let sent: Sent? = try await desk.makingChange(record.mint) { [self] in
                // A send for this job left open (its answer lost) is finished,
                // not repeated; while the mint cannot tell, this throws.
                if let earlier = try await wallet.settledSend(memo: memo) { return earlier }
                do {
                    let made = try await wallet.send(spending: rest, lockTo: lock, memo: memo)
                    crash(at: "worker-after-change")
                    return made
                } catch WalletError.amountTooSmall {
                    return nil  // the fee would eat it all: it stays as dust
                }
            }
            if let sent {
                final = try bill(changeFee: sent.fee)
                guard final.changeSat == sent.amount else {
                    throw JournalError.changeMismatch(job: id, bill: final.changeSat.value, token: sent.amount.value)
                }
                token = sent.token
            }
        }
        let json = String(decoding: try JSONEncoder().encode(final), as: UTF8.self)
        try journal.update(id) { [final, token] in
            $0.bill = json
            $0.elapsedMs = elapsedMs
            $0.chargedSat = final.chargedSat.value
            $0.changeSat = final.changeSat.value
            $0.mintFeeSat = final.mintFeeSat.value
            $0.changeToken = token
            $0.waiting = nil
        }
        return (final, token)
    }

    /// The end of a job also goes to the relays the request named (best
    /// effort, in the background, within the cap on client-relay
    /// connections: the worker's own relays already have it).
    func alsoDeliver(_ events: [Event], to requested: [String]) {
        statuses.clientRelays.deliverJobEnd(events, to: requested)
    }

    /// Test hook (`configuration.crashPoint`, as the wallet has): SIGKILL at a named step of settling.
    nonisolated func crash(at point: String) {
        if configuration.crashPoint == point { kill(getpid(), SIGKILL) }
    }

    /// Labels the change swap in the wallet so a restart finds it instead of paying twice.
    static func changeMemo(_ id: String) -> String { "loom change \(id.prefix(16))" }

    /// Publishes a stored result; `published` is set once a relay took it.
    func publishResult(_ id: String, event: Event) async {
        do {
            _ = try await pool.publish(event)
            _ = try? journal.update(id) { $0.published = true }
        } catch {
            logger.warning("result not published yet; retried at next start", metadata: ["job": "\(id)", "error": "\(error)"])
        }
    }
}
