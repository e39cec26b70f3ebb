import AddressSafety
import Cashu
import Foundation
import Inference
import LoomClient
import LoomJSON
import LoomProtocol
import LoomTestSupport
import Testing

@testable import LoomWorker

/// Paid jobs over the OpenAI-compatible backend against llama.cpp's
/// llama-server running SmolLM2-135M: real tokens from a real model, with
/// the real relay, mint and Blossom server around them. Run by
/// `make e2e-inference` (it builds llama-server first); skipped otherwise.
@Suite(
    .serialized,
    .enabled(
        if: LlamaEnvironment.available,
        "set LOOM_LLAMA_SERVER and LOOM_LLAMA_MODEL (make e2e-inference does)"))
struct LlamaWorkerTests {
    @Test func paidJobOverLlamaServerCompletesWithRealTokens() async throws {
        let llama = try await TestLlama()
        let h = try await Harness(inputFeePpk: 100)
        var config = h.configuration()
        config.backendURL = URL(string: llama.baseURL + "/v1")!
        let (worker, serving) = try await h.startWorker(
            config, backend: OpenAIBackend(baseURL: llama.baseURL + "/v1"))
        let client = try await h.clientWallet(64)
        let payment = try await client.send(30)

        let request = JobRequest(
            model: TestLlama.modelID, input: .prompt("What is the capital of France?"),
            options: ["num_predict": 32, "temperature": 0, "seed": 7], payment: payment.token,
            lockChange: true)
        let event = try await h.submit(request)
        let result = try await h.watch(event.id).result(within: .seconds(180)).result
        #expect(result.status == .completed, "\(String(describing: result.error))\n\(llama.server.logTail())")

        // Usage counted by llama.cpp, not estimated by the worker.
        let usage = try #require(result.usage)
        #expect(usage.completionTokens > 0 && usage.completionTokens <= 32)
        #expect(usage.promptTokens > 0)

        // The model's words are on Blossom, encrypted: the client decrypts
        // them and both hashes check; anyone else finds ciphertext.
        let text = try #require(result.outputs.first { $0.type == "text/plain" })
        let words = String(decoding: try await JobClient.fetch(text, dialCheck: DialCheck(allowLocal: true)), as: UTF8.self)
        #expect(!words.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        // A short reply could turn up in random bytes by chance; eight bytes cannot.
        let secrets = ["What is the capital of France?"] + (words.utf8.count >= 8 ? [words] : [])
        try await expectOnlyCiphertext(on: h, outputs: result.outputs, secrets: secrets)

        let bill = try #require(result.bill)
        #expect(bill.paidSat == 30)
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        #expect(bill.chargedSat > .zero)
        let change = try #require(result.change)
        #expect(try await client.receive(change).amount == bill.changeSat)

        let wallet = try #require(worker.desk.wallet(h.mint.httpURL))
        #expect(try await wallet.audit().ok)
        #expect(try await wallet.balance() == bill.chargedSat)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    /// The budget is a hard stop with a real model too: a request that would
    /// generate for a long time is cut at the prepaid second, llama-server
    /// stops generating (the worker closed the stream), and the bill is the
    /// budget, not more.
    @Test func budgetStopsRealGeneration() async throws {
        let llama = try await TestLlama()
        let h = try await Harness(inputFeePpk: 0)
        let (worker, serving) = try await h.startWorker(
            h.configuration(), backend: OpenAIBackend(baseURL: llama.baseURL + "/v1"))
        let client = try await h.clientWallet(64)
        let payment = try await client.send(20)

        // ignore_eos with a large limit: left alone this runs for a minute or more.
        let request = JobRequest(
            model: TestLlama.modelID, input: .prompt("Tell me a very long story."),
            options: ["num_predict": 1900, "ignore_eos": true], payment: payment.token,
            maxSeconds: 2, lockChange: true)
        let event = try await h.submit(request)
        let result = try await h.watch(event.id).result(within: .seconds(180)).result
        #expect(result.status == .completed)
        let bill = try #require(result.bill)
        #expect(bill.budgetSeconds == 2)
        #expect(bill.chargedSat == 2, "billed the whole budget, and no more")
        #expect(bill.paidSat.value == bill.chargedSat.value + bill.changeSat.value + bill.mintFeeSat.value)
        #expect(bill.changeSat == 18)

        // Generation stopped: llama-server is idle and its counter stops moving.
        let first = try await llama.idle()
        #expect(first.processing == 0, "llama-server still generating after the budget ran out")
        try await Task.sleep(for: .seconds(2))
        #expect(try await llama.metrics().predicted == first.predicted)
        #expect(first.predicted < 1900, "the generation was cut short")

        #expect(try await client.receive(try #require(result.change)).amount == 18)
        #expect(try await worker.desk.wallet(h.mint.httpURL)?.audit().ok == true)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
