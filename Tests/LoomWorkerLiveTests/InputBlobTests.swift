import Blossom
import BlossomClient
import Cashu
import CashuWallet
import Foundation
import LoomClient
import LoomProtocol
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

@testable import LoomWorker

/// Inputs too large for a request event, as an encrypted blob on the
/// worker's Blossom server: the client's whole path (`JobClient.submit`,
/// `follow`) against a real worker, relay, mint, Blossom server and the
/// Ollama stub; and each refusal of a bad blob, with nothing taken.
@Suite(.serialized)
struct InputBlobTests {
    /// About `bytes` of text that reads like a document, in lines of words.
    static func document(bytes: Int) -> String {
        var text = "", n = 0
        while text.utf8.count < bytes {
            text += "Paragraph \(n): the committee reviewed the quarterly figures and noted steady growth.\n"
            n += 1
        }
        return text
    }

    /// The worker's offer as its advertiser builds it, parsed as a client reads it.
    static func offer(_ h: Harness, _ config: WorkerConfiguration) async throws -> WorkerOffer {
        let advertiser = Advertiser(pool: h.clientPool, key: h.workerKey, configuration: config, version: "test")
        let ad = await advertiser.build(models: [Harness.model], capacity: .init(maxConcurrent: 1))
        return try Advertisement.parse(try ad.sign(with: h.workerKey, createdAt: Event.now(), ttl: 300))
    }

    static func client(_ h: Harness, sats: UInt64) async throws -> JobClient {
        let dir = h.root.appendingPathComponent("client-journal-\(UUID().uuidString.prefix(6))")
        return JobClient(
            key: h.clientKey, pool: h.clientPool, journal: try ClientJournal(dataDirectory: dir),
            wallet: try await h.clientWallet(sats))
    }

    /// The text the backend was asked to continue: the prompt, or the last message.
    static func backendInput(_ h: Harness) async throws -> String? {
        guard let body = try await h.ollama.stats().lastRequestBody,
            let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        else { return nil }
        if let prompt = object["prompt"] as? String { return prompt }
        return (object["messages"] as? [[String: Any]])?.last?["content"] as? String
    }

    @Test func aMegabyteDocumentIsSummarisedEndToEnd() async throws {
        let h = try await Harness(ollamaArguments: ["--tokens-per-second", "50", "--reply", "A summary of steady growth."])
        let config = h.configuration()
        let (worker, serving) = try await h.startWorker(config)
        let client = try await Self.client(h, sats: 100)
        let offer = try await Self.offer(h, config)
        #expect(offer.advertisement.maxRequestBytes == 100_000 && offer.advertisement.maxInputBytes == 8 << 20)
        let prompt = "Summarise this document:\n" + Self.document(bytes: 1_000_000)
        let before = try await client.wallet!.balance()

        let job = try await client.submit(
            JobOrder(model: Harness.model, input: .prompt(prompt), seconds: 20), to: offer, paying: .wallet())
        // The request on the relay is small: the document went as a blob.
        #expect(RequestOpener.approximateSize(job.request) < 10_000)
        #expect(try #require(job.inputBlobSize) > UInt64(prompt.utf8.count))
        let outcome = try await client.follow(jobID: job.jobID, worker: job.worker, timeout: .seconds(180))

        #expect(outcome.status == .completed, "\(outcome.error.map { "\($0)" } ?? "")")
        #expect(outcome.output == "A summary of steady growth.")
        #expect(try await Self.backendInput(h) == prompt, "the backend got the whole document")
        let bill = try #require(outcome.bill)
        let redeemed = try #require(outcome.changeRedeemedSat)
        #expect(redeemed == bill.changeSat && redeemed > .zero)
        let after = try await client.wallet!.balance()
        #expect(before.value - after.value == bill.chargedSat.value + bill.mintFeeSat.value)
        // Blossom holds the document only as ciphertext, listed under the client's key.
        let listed = try await BlossomClient(servers: [h.blossomURL]).list(pubkey: h.clientKey.xOnlyPublicKey.hex)
        #expect(listed.count == 1)
        let stored = try await BlossomClient(servers: [h.blossomURL]).download(listed[0].sha256, maxBytes: 2 << 20)
        #expect(!String(decoding: stored, as: UTF8.self).contains("committee"))
        await worker.shutdown()
        serving.cancel()
        await h.stop()
    }

    /// A blob that is not the one named, one the worker's server does not
    /// have, and one over its limit: each its own code, before the swap, so
    /// the client takes its whole token back.
    @Test func badBlobsAreRefusedAndNothingIsTaken() async throws {
        let h = try await Harness()
        var config = h.configuration()
        config.maxInputBytes = 4_096
        let (worker, serving) = try await h.startWorker(config)
        let wallet = try await h.clientWallet(64)
        let before = try await wallet.balance()
        let uploader = BlossomClient(servers: [h.blossomURL], key: h.clientKey)

        let (good, blob) = try InputBlob.seal(.prompt("a short document"))
        _ = try await uploader.upload(blob)
        var otherContent = good
        otherContent.sha256 = BlobEncryption.sha256Hex(Data("another document".utf8))
        var otherKey = good
        otherKey.encryption.key = String(repeating: "42", count: 32)
        let (missing, _) = try InputBlob.seal(.prompt("never uploaded"))
        let (large, largeBlob) = try InputBlob.seal(.prompt(Self.document(bytes: 5_000)))
        _ = try await uploader.upload(largeBlob)

        let cases: [(InputBlob, RequestRejection.Code)] = [
            (otherContent, .inputMismatch), (otherKey, .inputMismatch), (missing, .inputUnavailable),
            (large, .inputTooLarge),
        ]
        for (reference, code) in cases {
            let payment = try await wallet.send(8)
            let request = JobRequest(
                model: Harness.model, input: .blob(reference), payment: payment.token, maxSeconds: 5, lockChange: true)
            let event = try request.seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
            let watcher = h.watch(event.id)
            _ = try await h.clientPool.publish(event)
            let status = try await watcher.status(.rejected)
            #expect(status.status.reason?.code == code.rawValue, "\(code): \(status.status.reason.map { "\($0)" } ?? "")")
            #expect(!watcher.states.contains(.paymentVerified))
            // Unspent: the client redeems its own token in full.
            let back = try await wallet.receive(payment.token)
            #expect(back.received == Amount(8), "\(code)")
        }
        #expect(try await wallet.balance() == before, "the client's balance is back, minus nothing")
        let earned = try worker.journal.earnings()
        #expect(earned.sat == 0 && earned.jobs == 0)
        // The refused request let go of its token's proofs (the wallet held
        // them from the offline check): the same token pays another job.
        let payment = try await wallet.send(8)
        let refused = try JobRequest(
            model: Harness.model, input: .blob(missing), payment: payment.token, maxSeconds: 5, lockChange: true
        ).seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let refusedWatcher = h.watch(refused.id)
        _ = try await h.clientPool.publish(refused)
        _ = try await refusedWatcher.status(.rejected)
        let paid = try await h.submit(h.prompt(payment.token, maxSeconds: 2))
        #expect(try await h.watch(paid.id).result().result.status == .completed)
        await worker.shutdown()
        serving.cancel()
        await h.stop()
    }

    /// A worker that takes no blobs, and a request over its limit: the
    /// client refuses before paying, saying what to do.
    @Test func anOversizeRequestIsRefusedBeforePaying() async throws {
        let h = try await Harness()
        var config = h.configuration()
        config.maxInputBytes = 0
        let client = try await Self.client(h, sats: 50)
        let offer = try await Self.offer(h, config)
        let before = try await client.wallet!.balance()
        let order = JobOrder(model: Harness.model, input: .prompt(Self.document(bytes: 150_000)), seconds: 5)
        do {
            _ = try await client.submit(order, to: offer, paying: .wallet())
            Issue.record("an oversize request was sent")
        } catch let error as ClientError {
            guard case .requestTooLarge(let bytes, 100_000, _, false) = error else { throw error }
            #expect(bytes > 100_000)
            #expect(
                error.description.contains("takes no input blobs") && error.description.contains("nothing was paid"),
                "\(error)")
        }
        #expect(try await client.wallet!.balance() == before)
        #expect(client.journal.all().isEmpty, "nothing journaled, nothing sent")
        await h.stop()
    }

    /// Killed around the payment swap: the fetched input lived in memory
    /// only, so the restarted worker fetches the blob again and the job runs
    /// on the whole input (the swap's answer taken from the mint, or made now).
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.binary.path),
            "needs `swift build` to have built loom"),
        arguments: ["before-swap-request", "after-swap-response"])
    func killedAroundTheSwapFetchesTheInputAgain(crashAt: String) async throws {
        let h = try await Harness(ollamaArguments: ["--tokens-per-second", "50", "--reply", "Recovered."])
        let dataDir = h.root.appendingPathComponent("worker-process")
        var environment = [
            "NOSTR_PRIVATE_KEY": h.workerKey.hex, "NOSTR_RELAYS": h.relay.url, "CASHU_MINT_URL": h.mint.httpURL,
            "BLOSSOM_SERVER_URL": h.blossomURL.absoluteString, "OLLAMA_URL": h.ollama.url, "DATA_DIR": dataDir.path,
            "WHITELIST_ENABLED": "false", "PRICE_PER_SECOND": "1", "MIN_JOB_DURATION": "1", "MAX_JOB_DURATION": "60",
            "LOOM_CRASH_AT": crashAt,
        ]
        let log = h.root.appendingPathComponent("worker.log")
        let first = try CrashRecoveryTests.WorkerProcess(environment: environment, log: log)
        #expect(try await eventually { first.output.contains("worker serving") }, "worker did not start:\n\(first.output)")

        let document = Self.document(bytes: 120_000)
        let (reference, blob) = try InputBlob.seal(.prompt(document))
        _ = try await BlossomClient(servers: [h.blossomURL], key: h.clientKey).upload(blob)
        let client = try await h.clientWallet(100)
        let payment = try await client.send(20)
        let request = JobRequest(
            model: Harness.model, input: .blob(reference), payment: payment.token, maxSeconds: 10, lockChange: true)
        let event = try request.seal(from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        #expect(try await first.exited(), "the crash hook did not fire:\n\(first.output)")

        environment["LOOM_CRASH_AT"] = nil
        let second = try CrashRecoveryTests.WorkerProcess(environment: environment, log: log)
        let result = try await watcher.result().result
        #expect(result.status == .completed, "\(result.error.map { "\($0)" } ?? "")")
        #expect(try await Self.backendInput(h) == document, "the backend got the whole document after the restart")
        let bill = try #require(result.bill)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        second.kill(SIGTERM)
        #expect(try await second.exited(), "worker did not stop on SIGTERM:\n\(second.output)")
        await h.stop()
    }
}
