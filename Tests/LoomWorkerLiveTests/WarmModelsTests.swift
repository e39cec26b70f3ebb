import Foundation
import Inference
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import Nostr
import NostrRelay
import Testing

@testable import LoomWorker

/// The offer carries the models Ollama has loaded (`/api/ps` of the stub),
/// refreshed with the model list.
@Suite(.serialized) struct WarmModelsTests {
    @Test func theOfferCarriesTheModelsTheBackendHasLoaded() async throws {
        let h = try await Harness(inputFeePpk: 0)
        try await h.ollama.control(#"{"loaded": ["qwen2.5:0.5b", "not-offered:1b"]}"#)
        let config = h.configuration()
        let worker = try Worker(
            configuration: config, access: OpenAccess(), backend: OllamaBackend(baseURL: h.ollama.url),
            logger: Harness.logger)
        let serving = Task { try await worker.run() }
        #expect(await worker.warmModels() == ["qwen2.5:0.5b"], "only offered models are warm")
        let advertiser = Advertiser(
            pool: worker.pool, key: h.workerKey, configuration: config, version: "0.1.0",
            logger: edgeLogger("test.advertiser"))
        let advertising = Task {
            await advertiser.run(
                models: { await worker.models() }, capacity: { await worker.capacity() },
                warm: { await worker.warmModels() })
        }
        try await edgeEventually("an offer with the warm model") { await advertiser.current?.warm == ["qwen2.5:0.5b"] }
        // Ollama loads another model: the next model refresh (10 s at most) republishes.
        try await h.ollama.control(#"{"loaded": ["llama3.2:latest", "qwen2.5:0.5b"]}"#)
        try await edgeEventually("the offer updated") {
            await advertiser.current?.warm == ["llama3.2:latest", "qwen2.5:0.5b"]
        }
        let stored = try #require(await advertiser.lastEvent)
        #expect(try Advertisement.parse(stored).advertisement.isWarm("llama3.2:latest"))
        advertising.cancel()
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
