import Foundation
import LoomJSON
import Nostr
import Testing

@testable import LoomProtocol

/// A request's `options` are a short list of sampling settings, each with
/// its type and range; the server's own settings are the operator's.
@Suite struct JobOptionsTests {
    /// A request carrying `options` (as JSON text), encrypted and signed
    /// without `seal`, which would refuse it on the client's side already.
    func event(options: String) throws -> Event {
        let json = #"{"v":1,"model":"llama3.2:3b","prompt":"hi","payment":"\#(try Fixture.token([64]))","options":\#(options)}"#
        return try Fixture.rawRequest(content: try Fixture.encrypted(json))
    }

    func refusal(_ options: String, limits: OptionLimits = .init()) throws -> String? {
        let opener = RequestOpener(workerKey: Fixture.worker, optionLimits: limits)
        let request = try event(options: options)
        do throws(RequestRejection) {
            _ = try opener.open(request, now: Fixture.now)
            return nil
        } catch {
            guard case .badSchema(let why) = error else { return "not bad-schema: \(error)" }
            return why
        }
    }

    @Test(arguments: [
        // Ollama's runtime options: memory, threads, context, residency.
        "num_ctx", "num_gpu", "main_gpu", "num_batch", "num_thread", "num_keep", "numa", "low_vram",
        "use_mmap", "use_mlock", "vocab_only", "keep_alive",
        // OpenAI-style request fields that reach past one job.
        "n", "id_slot", "cache_prompt", "logit_bias", "max_tokens", "model", "stream",
        // Anything else nobody listed.
        "mirostat", "tfs_z", "whatever",
    ])
    func anOptionNotOnTheListIsRefusedByName(_ name: String) throws {
        let why = try #require(try refusal(#"{"temperature":0.5,"\#(name)":1}"#))
        #expect(why.contains("\"options.\(name)\""), "\(why)")
        #expect(!why.contains("options.temperature"))
    }

    @Test func theMessageSaysWhatToDoInstead() throws {
        #expect(try refusal(#"{"num_ctx":4096}"#)?.contains("operator") == true)
        #expect(try refusal(#"{"max_tokens":16}"#)?.contains("num_predict") == true)
        #expect(try refusal(#"{"whatever":1}"#)?.contains("temperature") == true, "lists the accepted ones")
    }

    @Test(arguments: [
        (#"{"temperature":"hot"}"#, "temperature"), (#"{"temperature":2.5}"#, "temperature"),
        (#"{"temperature":-0.1}"#, "temperature"), (#"{"top_p":1.5}"#, "top_p"), (#"{"min_p":-1}"#, "min_p"),
        (#"{"top_k":1001}"#, "top_k"), (#"{"top_k":4.5}"#, "top_k"), (#"{"seed":-1}"#, "seed"),
        (#"{"seed":4294967296}"#, "seed"), (#"{"num_predict":0}"#, "num_predict"), (#"{"num_predict":-1}"#, "num_predict"),
        (#"{"num_predict":"many"}"#, "num_predict"), (#"{"repeat_penalty":3}"#, "repeat_penalty"),
        (#"{"presence_penalty":2.5}"#, "presence_penalty"), (#"{"frequency_penalty":-3}"#, "frequency_penalty"),
        (#"{"stop":"\n"}"#, "stop"), (#"{"stop":["a","b","c","d","e"]}"#, "stop"), (#"{"stop":[""]}"#, "stop"),
        (#"{"stop":[1]}"#, "stop"), (#"{"ignore_eos":1}"#, "ignore_eos"), (#"{"temperature":null}"#, "temperature"),
    ])
    func aValueOutOfTypeOrRangeIsRefusedByName(_ options: String, _ name: String) throws {
        let why = try #require(try refusal(options), "\(options) was accepted")
        #expect(why.contains("\"options.\(name)\""), "\(why)")
    }

    @Test func theListedOptionsOpen() throws {
        let all = #"""
            {"temperature":0.7,"top_p":0.9,"top_k":40,"min_p":0.05,"seed":42,"num_predict":256,"stop":["\n\n","user:"],
             "repeat_penalty":1.1,"presence_penalty":0.5,"frequency_penalty":-0.5,"ignore_eos":false}
            """#
        #expect(try refusal(all) == nil)
        // Whole numbers where a number is wanted, and 42.0 where a whole number is.
        #expect(try refusal(#"{"temperature":1,"seed":42.0,"num_predict":16.0}"#) == nil)
        #expect(JobOptions.names.count == 11)
    }

    @Test func theOperatorCapsTheTokensGenerated() throws {
        let limits = OptionLimits(maxOutputTokens: 100)
        #expect(try refusal(#"{"num_predict":100}"#, limits: limits) == nil)
        let why = try #require(try refusal(#"{"num_predict":101}"#, limits: limits))
        #expect(why.contains("options.num_predict") && why.contains("at most 100"), "\(why)")
        // A request without a limit gets the cap; one with its own keeps it.
        #expect(limits.applied(to: ["temperature": 0.2]) == ["temperature": 0.2, "num_predict": 100])
        #expect(limits.applied(to: ["num_predict": 7]) == ["num_predict": 7])
    }

    @Test func aClientCannotSealARefusedOption() throws {
        var request = try Fixture.request()
        request.options["num_gpu"] = 99
        #expect(throws: ContentError.self) { try request.seal(from: Fixture.client, to: Fixture.worker.xOnlyPublicKey) }
    }
}
