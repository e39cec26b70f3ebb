import LoomJSON

/// The generation options a client may set in a request's `options`
/// (PROTOCOL.md, "Options"), each with its type and range. Names are
/// Ollama's; an OpenAI-compatible backend maps them (`num_predict` →
/// `max_tokens`).
///
/// Everything else is refused with `bad-schema` naming the option. Options
/// about the server itself (context size, GPU layers, threads, memory
/// locking, how long a model stays loaded) and OpenAI fields such as `n` or
/// `id_slot` would let one client make the backend reload a model or run out
/// of memory for every other client: those are the operator's settings.
public enum JobOptions {
    enum Kind: Sendable {
        case number(ClosedRange<Double>)
        case integer(ClosedRange<Int>)
        case bool
        /// Up to `stopMaxCount` strings of 1…`stopMaxLength` characters.
        case stopList
    }

    static let stopMaxCount = 4
    static let stopMaxLength = 100

    static let allowed: [String: Kind] = [
        "temperature": .number(0...2),
        "top_p": .number(0...1),
        "top_k": .integer(0...1000),
        "min_p": .number(0...1),
        "seed": .integer(0...Int(UInt32.max)),
        "num_predict": .integer(1...Int(Int32.max)),
        "stop": .stopList,
        "repeat_penalty": .number(0...2),
        "presence_penalty": .number(-2...2),
        "frequency_penalty": .number(-2...2),
        // llama.cpp and vLLM: generate to `num_predict` even past the end of
        // text. Bounded by the token cap and the budget like any job.
        "ignore_eos": .bool,
    ]

    /// The option names a client may use, sorted.
    public static var names: [String] { allowed.keys.sorted() }

    /// Refuses the first option (in name order, so the message is stable)
    /// that is not on the list or not of its type and range.
    static func check(_ options: [String: JSONValue]) throws(ContentError) {
        for name in options.keys.sorted() {
            let field = "options.\(name)"
            guard let kind = allowed[name] else {
                throw .invalid(field: field, reason: refusal(name))
            }
            let value = options[name]!
            switch kind {
            case .number(let range):
                guard let x = value.numberValue, range.contains(x) else {
                    throw .invalid(
                        field: field, reason: "must be a number from \(show(range.lowerBound)) to \(show(range.upperBound))")
                }
            case .integer(let range):
                guard let n = value.exactInt, range.contains(n) else {
                    throw .invalid(field: field, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
            case .bool:
                guard case .bool = value else { throw .invalid(field: field, reason: "must be true or false") }
            case .stopList:
                guard case .array(let items) = value, items.count <= stopMaxCount,
                    items.allSatisfy({ ($0.stringValue?.count).map { (1...stopMaxLength).contains($0) } ?? false })
                else {
                    throw .invalid(
                        field: field,
                        reason: "must be a list of at most \(stopMaxCount) strings of 1 to \(stopMaxLength) characters")
                }
            }
        }
    }

    /// Why an option is not accepted, and what to write instead where there is something.
    static func refusal(_ name: String) -> String {
        switch name {
        case "max_tokens": "is not accepted; write num_predict (the options use Ollama's names)"
        case "num_ctx", "keep_alive", "num_gpu", "main_gpu", "num_batch", "num_thread", "num_keep", "numa",
            "low_vram", "use_mmap", "use_mlock", "vocab_only":
            "is set by the worker's operator, not by a request"
        default: "is not an accepted option; accepted: \(names.joined(separator: ", "))"
        }
    }

    static func show(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

/// The operator's caps on what a request may ask (WorkerConfiguration).
public struct OptionLimits: Sendable, Hashable {
    /// The most tokens one job may generate: a request asking more is
    /// refused, and a request that names no limit gets this one.
    public var maxOutputTokens: Int

    public init(maxOutputTokens: Int = OptionLimits.defaultMaxOutputTokens) {
        self.maxOutputTokens = maxOutputTokens
    }

    public static let defaultMaxOutputTokens = 4096

    /// Refuses a `num_predict` above the cap (the list and types are
    /// `JobOptions.check`'s, done with the rest of the schema).
    public func check(_ options: [String: JSONValue]) throws(ContentError) {
        if let n = options["num_predict"]?.exactInt, n > maxOutputTokens {
            throw .invalid(field: "options.num_predict", reason: "at most \(maxOutputTokens) tokens on this worker")
        }
    }

    /// The options a backend is given: the client's, with the token cap
    /// filled in when the request named none, so no job generates unbounded.
    public func applied(to options: [String: JSONValue]) -> [String: JSONValue] {
        var out = options
        if out["num_predict"] == nil { out["num_predict"] = .int(maxOutputTokens) }
        return out
    }
}

extension JSONValue {
    /// Integers and doubles alike: `"temperature": 1` is as good as `1.0`.
    var numberValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
    }

    /// A whole number written as one (`42` or `42.0`), nothing fractional.
    var exactInt: Int? {
        switch self {
        case .int(let i): i
        case .double(let d) where d.isFinite && d == d.rounded() && abs(d) < 1e15: Int(d)
        default: nil
        }
    }
}
