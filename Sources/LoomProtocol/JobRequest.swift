import LoomJSON

/// What a client asks a worker to do: the decrypted content of a kind-5100
/// request. It holds a prompt and bearer money, so it only ever travels
/// NIP-44 encrypted, and its descriptions redact both.
public struct JobRequest: Sendable, Hashable {
    public enum Input: Sendable, Hashable {
        case prompt(String)
        case messages([ChatMessage])
        /// The prompt or messages in an encrypted Blossom blob (`input_blob`),
        /// for inputs too large for a request event. The worker replaces it
        /// with what the blob holds before the swap.
        case blob(InputBlob)
    }

    public var model: String
    public var input: Input
    /// Generation options under Ollama's names (temperature, num_predict,
    /// seed, …); only those `JobOptions` lists are accepted.
    public var options: [String: JSONValue]
    /// A Cashu token (`cashuB…`; `cashuA…` is read too) worth the budget plus mint fees.
    public var payment: String
    /// The most seconds the client wants to pay for; the budget never exceeds it.
    public var maxSeconds: UInt64?
    /// Asks for the change P2PK-locked to the client's key, so only it can redeem it.
    public var lockChange: Bool
    /// Asks for the output live, as encrypted kind-20100 chunks, besides the
    /// result. A worker that does not know the field ignores it: the client
    /// then gets no chunks and reads the whole output from the result.
    public var stream: Bool

    public init(
        model: String, input: Input, options: [String: JSONValue] = [:], payment: String,
        maxSeconds: UInt64? = nil, lockChange: Bool = false, stream: Bool = false
    ) {
        self.model = model
        self.input = input
        self.options = options
        self.payment = payment
        self.maxSeconds = maxSeconds
        self.lockChange = lockChange
        self.stream = stream
    }

    static let maxModelLength = 200

    /// Shape rules beyond JSON types. The payment itself is judged later,
    /// by `Admission`, so that "no payment" gets its own code.
    func validate() throws(ContentError) {
        guard (1...Self.maxModelLength).contains(model.count) else {
            throw .invalid(field: "model", reason: "must be 1...\(Self.maxModelLength) characters")
        }
        switch input {
        case .prompt(let p) where p.isEmpty:
            throw .invalid(field: "prompt", reason: "is empty")
        case .messages(let m) where m.isEmpty:
            throw .invalid(field: "messages", reason: "is empty")
        case .messages(let m):
            for (i, msg) in m.enumerated() where !ChatMessage.roles.contains(msg.role) {
                throw .invalid(
                    field: "messages[\(i)].role", reason: "must be one of \(ChatMessage.roles.sorted().joined(separator: ", "))")
            }
        case .blob(let b): try b.validate()
        default: break
        }
        try JobOptions.check(options)
        if let maxSeconds, maxSeconds == 0 { throw .invalid(field: "max_seconds", reason: "must be at least 1") }
    }
}

/// One chat turn, as Ollama's `/api/chat` and OpenAI's chat API both take it.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) { self.role = role; self.content = content }

    static let roles: Set<String> = ["system", "user", "assistant", "tool"]
}

extension JobRequest: Codable {
    enum CodingKeys: String, CodingKey {
        case model, prompt, messages, options, payment, stream
        case inputBlob = "input_blob"
        case maxSeconds = "max_seconds"
        case lockChange = "lock_change"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        let prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
        let messages = try c.decodeIfPresent([ChatMessage].self, forKey: .messages)
        let blob = try c.decodeIfPresent(InputBlob.self, forKey: .inputBlob)
        switch (prompt, messages, blob) {
        case (let p?, nil, nil): input = .prompt(p)
        case (nil, let m?, nil): input = .messages(m)
        case (nil, nil, let b?): input = .blob(b)
        case (nil, nil, nil):
            throw ContentError.invalid(field: "prompt", reason: "one of prompt, messages or input_blob is required")
        default: throw ContentError.invalid(field: "messages", reason: "give one of prompt, messages or input_blob, not several")
        }
        options = try c.decodeIfPresent([String: JSONValue].self, forKey: .options) ?? [:]
        // Missing and empty are one case, told apart from a malformed token.
        payment = try c.decodeIfPresent(String.self, forKey: .payment) ?? ""
        maxSeconds = try c.decodeIfPresent(UInt64.self, forKey: .maxSeconds)
        lockChange = try c.decodeIfPresent(Bool.self, forKey: .lockChange) ?? false
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        switch input {
        case .prompt(let p): try c.encode(p, forKey: .prompt)
        case .messages(let m): try c.encode(m, forKey: .messages)
        case .blob(let b): try c.encode(b, forKey: .inputBlob)
        }
        if !options.isEmpty { try c.encode(options, forKey: .options) }
        try c.encode(payment, forKey: .payment)
        try c.encodeIfPresent(maxSeconds, forKey: .maxSeconds)
        if lockChange { try c.encode(true, forKey: .lockChange) }
        // Written only when asked, so a request without it keeps its bytes.
        if stream { try c.encode(true, forKey: .stream) }
    }
}

extension JobRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Model and sizes only: prompts and tokens must not reach logs.
    public var description: String {
        let what: String =
            switch input {
            case .prompt(let p): "prompt of \(p.utf8.count) bytes"
            case .messages(let m): "\(m.count) messages"
            case .blob(let b): "input blob of \(b.size) bytes"
            }
        return
            "JobRequest(model: \(model), \(what), payment: <redacted>, max_seconds: \(maxSeconds.map(String.init) ?? "-")\(stream ? ", stream" : ""))"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["summary": description]) }
}
