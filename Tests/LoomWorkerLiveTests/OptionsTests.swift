import Foundation
import LoomJSON
import LoomProtocol
import LoomTestSupport
import Nostr
import Testing

@testable import LoomWorker

/// A request's options reach the backend only as the sampling options the
/// protocol lists, within the operator's caps; the operator alone sets the
/// context window and how long the model stays loaded.
@Suite(.serialized)
struct OptionsTests {
    /// A request with `options` as JSON text, sealed by hand: `JobRequest.seal`
    /// would refuse it on the client's side already.
    func request(_ h: Harness, token: String, options: String) throws -> Event {
        let json =
            #"{"v":1,"model":"\#(Harness.model)","prompt":"Why is the sky blue?","payment":"\#(token)","options":\#(options)}"#
        let content = try NIP44.encrypt(json, from: h.clientKey, to: h.workerKey.xOnlyPublicKey)
        return try Event.sign(
            kind: LoomKind.jobRequest.rawValue, content: content,
            tags: [["p", h.workerKey.xOnlyPublicKey.hex], ["encrypted"]], with: h.clientKey)
    }

    func rejection(_ h: Harness, _ event: Event) async throws -> Reason? {
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        _ = try await eventually { watcher.states.contains { $0.isTerminal } }
        return watcher.statuses.last { $0.status.status == .rejected }?.status.reason
    }

    @Test func optionsOffTheListAreRefusedByNameAndTakeNothing() async throws {
        let h = try await Harness(inputFeePpk: 0)
        let (worker, serving) = try await h.startWorker(h.configuration())
        let client = try await h.clientWallet(40)
        for name in ["num_ctx", "num_gpu", "use_mlock", "keep_alive"] {
            let token = try await client.send(5)
            let event = try request(h, token: token.token, options: #"{"temperature":0.2,"\#(name)":1}"#)
            let reason = try #require(try await rejection(h, event), "\(name) was not refused")
            #expect(reason.code == RequestRejection.Code.badSchema.rawValue)
            #expect(reason.message.contains("options.\(name)"), "\(reason.message)")
            #expect(try await client.receive(token.token).amount == 5, "the refused token is still the client's")
        }
        #expect(try await h.ollama.stats().paths["/api/generate", default: 0] == 0)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }

    @Test func theAllowedOptionsAndTheOperatorsSettingsReachOllama() async throws {
        let h = try await Harness(inputFeePpk: 0)
        var config = h.configuration()
        config.maxOutputTokens = 64
        config.contextLength = 8192
        config.keepAliveSeconds = 600
        let (worker, serving) = try await h.startWorker(config)
        let client = try await h.clientWallet(60)

        // Over the operator's cap: refused, naming the cap.
        let greedy = try await client.send(10)
        let tooMany = try request(h, token: greedy.token, options: #"{"num_predict":65}"#)
        let reason = try #require(try await rejection(h, tooMany))
        #expect(
            reason.code == RequestRejection.Code.badSchema.rawValue && reason.message.contains("at most 64"), "\(reason.message)")

        // Within it: the sampling options as sent, the operator's cap as the
        // limit, the operator's context and keep-alive.
        let token = try await client.send(20)
        let event = try request(h, token: token.token, options: #"{"temperature":0.3,"seed":5,"stop":["\n\n"],"top_k":20}"#)
        let watcher = h.watch(event.id)
        _ = try await h.clientPool.publish(event)
        #expect(try await watcher.result().result.status == .completed)
        let body = try JSONDecoder().decode(JSONValue.self, from: try #require(try await h.ollama.stats().lastRequestBody))
        #expect(
            body["options"] == ["temperature": 0.3, "seed": 5, "stop": ["\n\n"], "top_k": 20, "num_predict": 64, "num_ctx": 8192])
        #expect(body["keep_alive"] == 600)
        await worker.shutdown()
        try await serving.value
        await h.stop()
    }
}
