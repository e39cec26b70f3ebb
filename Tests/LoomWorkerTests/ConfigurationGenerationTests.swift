import Foundation
import LoomWorker
import Testing

/// The operator's settings for every job: the token cap, the context
/// window and how long Ollama keeps a model loaded.
extension ConfigurationTests {
    @Test func generationSettings() throws {
        let (config, _) = try WorkerConfiguration.load(
            Self.full.merging([
                "MAX_OUTPUT_TOKENS": "512", "CONTEXT_LENGTH": "8192", "KEEP_ALIVE": "30m",
            ]) { $1 })
        #expect(config.maxOutputTokens == 512 && config.optionLimits.maxOutputTokens == 512)
        #expect(config.contextLength == 8192)
        #expect(config.keepAliveSeconds == 1800)
        let (defaults, _) = try WorkerConfiguration.load(Self.full)
        #expect(defaults.maxOutputTokens == 4096 && defaults.contextLength == nil && defaults.keepAliveSeconds == nil)
    }

    @Test(arguments: [("300", 300), ("45s", 45), ("5m", 300), ("2h", 7200), ("0", 0), ("-1", -1), ("-1m", -60)])
    func keepAliveForms(_ text: String, _ seconds: Int) throws {
        #expect(try WorkerConfiguration.load(Self.full.merging(["KEEP_ALIVE": text]) { $1 }).0.keepAliveSeconds == seconds)
    }

    @Test func outputTokensZero() { expectRejected(["MAX_OUTPUT_TOKENS": "0"], key: "MAX_OUTPUT_TOKENS") }
    @Test func outputTokensNotANumber() {
        expectRejected(["MAX_OUTPUT_TOKENS": "lots"], key: "MAX_OUTPUT_TOKENS", mentioning: "whole number")
    }
    @Test func contextTooSmall() { expectRejected(["CONTEXT_LENGTH": "16"], key: "CONTEXT_LENGTH", mentioning: "256") }
    @Test func keepAliveNotADuration() {
        expectRejected(["KEEP_ALIVE": "forever"], key: "KEEP_ALIVE", mentioning: "5m")
        expectRejected(["KEEP_ALIVE": "5d"], key: "KEEP_ALIVE")
        expectRejected(["KEEP_ALIVE": "1.5h"], key: "KEEP_ALIVE")
    }
}
