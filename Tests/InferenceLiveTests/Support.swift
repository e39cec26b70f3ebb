import Foundation
import LoomJSON
import LoomTestSupport

@testable import Inference

/// Everything a stream produced, in order.
struct Outcome: Sendable {
    var tokens: [String] = []
    var usage: Usage?
    var error: (any Error)?

    var text: String { tokens.joined() }
    var inferenceError: InferenceError? { error as? InferenceError }
}

func collect(_ stream: InferenceStream) async -> Outcome {
    var outcome = Outcome()
    do {
        for try await event in stream {
            switch event {
            case .token(let t): outcome.tokens.append(t)
            case .done(let u): outcome.usage = u
            }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

/// Reads `count` tokens, then cancels the task that is reading, the way the
/// worker stops a job at its budget. Returns the tokens and whether the
/// stream ended (rather than hanging) after the cancellation.
func readThenCancelConsumer(_ stream: InferenceStream, after count: Int) async throws -> (tokens: [String], sawDone: Bool) {
    let consumer = Task {
        var tokens: [String] = []
        var sawDone = false
        for try await event in stream {
            switch event {
            case .token(let t):
                tokens.append(t)
                if tokens.count == count {
                    // Stop like a worker at its budget: cancel, and read no further
                    // (tokens already buffered would otherwise still arrive).
                    withUnsafeCurrentTask { $0?.cancel() }
                    return (tokens, sawDone)
                }
            case .done:
                sawDone = true
            }
        }
        return (tokens, sawDone)
    }
    return try await consumer.value
}

func decodeJSON(_ data: Data?) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: data ?? Data("null".utf8))
}

/// A reply whose tokens the stub cuts at spaces; the rainbow is four UTF-8
/// bytes that `--split-lines` cuts in half.
let stubReply = "Sunlight scatters off the air, and blue light scatters the most. \u{1F308} done."
let stubTokens = [
    "Sunlight", " scatters", " off", " the", " air,", " and", " blue", " light",
    " scatters", " the", " most.", " \u{1F308}", " done.",
]

/// The reply thirty times over: at one token a second it cannot finish before
/// a cancel, however long a crowded test run keeps the consumer waiting (the
/// short reply once did, on a run of 384 tests on two cores).
let longStubReply = Array(repeating: stubReply, count: 30).joined(separator: " ")

let question = [
    ChatMessage(role: .system, content: "Answer briefly."),
    ChatMessage(role: .user, content: "Why is the sky blue?"),
]
