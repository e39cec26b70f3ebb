import Cashu

/// The end of a job (kind 5101), encrypted to the client. Signed by the
/// worker, it is also the receipt: what ran, what it cost, what came back.
public struct JobResult: Sendable, Hashable, Codable {
    /// A terminal state: completed, failed, cancelled or rejected.
    public var status: JobState
    public var outputs: [Output]
    public var usage: Usage?
    /// Present whenever the worker took the payment (not for `rejected`).
    public var bill: Bill?
    /// A token worth `bill.change_sat`, or nil when there is no change.
    public var change: String?
    /// Why the job failed or was rejected.
    public var error: Reason?
    /// Set when every Blossom server refused the outputs; the bill and change still stand.
    public var uploadError: String?

    public init(
        status: JobState, outputs: [Output] = [], usage: Usage? = nil, bill: Bill? = nil,
        change: String? = nil, error: Reason? = nil, uploadError: String? = nil
    ) {
        self.status = status
        self.outputs = outputs
        self.usage = usage
        self.bill = bill
        self.change = change
        self.error = error
        self.uploadError = uploadError
    }

    enum CodingKeys: String, CodingKey {
        case status, outputs, usage, bill, change, error
        case uploadError = "upload_error"
    }

    /// A Blossom blob holding an output (the generated text, the transcript).
    public struct Output: Sendable, Hashable, Codable {
        /// Where the stored blob is: the ciphertext, when `encryption` is set.
        public var url: String
        /// Lower-case hex SHA-256 of the content the client ends up with (the
        /// plaintext). A reader that ignores `encryption` compares the blob
        /// with it, fails, and so never shows ciphertext as the output.
        public var sha256: String
        public var size: UInt64
        /// The content's media type, such as `text/plain` or `application/json`.
        public var type: String
        /// How the blob is encrypted; nil for a blob stored in clear (older workers).
        public var encryption: BlobEncryption?
        /// SHA-256 and size of the stored bytes, when encrypted: the Blossom address.
        public var blobSha256: String?
        public var blobSize: UInt64?

        public init(
            url: String, sha256: String, size: UInt64, type: String, encryption: BlobEncryption? = nil,
            blobSha256: String? = nil, blobSize: UInt64? = nil
        ) {
            self.url = url
            self.sha256 = sha256
            self.size = size
            self.type = type
            self.encryption = encryption
            self.blobSha256 = blobSha256
            self.blobSize = blobSize
        }

        enum CodingKeys: String, CodingKey {
            case url, sha256, size, type, encryption
            case blobSha256 = "blob_sha256", blobSize = "blob_size"
        }

        /// The three encryption fields come together, in their shapes.
        func validateBlob(field: String) throws(ContentError) {
            guard let encryption else {
                guard blobSha256 == nil, blobSize == nil else {
                    throw .invalid(
                        field: "\(field).encryption",
                        reason: "blob_sha256 and blob_size describe an encrypted blob, and encryption is missing")
                }
                return
            }
            guard let blobSha256 else {
                throw .invalid(field: "\(field).blob_sha256", reason: "an encrypted output names the stored blob's hash")
            }
            guard Check.isHex64(blobSha256) else {
                throw .invalid(field: "\(field).blob_sha256", reason: "not 64 lower-case hex characters")
            }
            guard let blobSize else {
                throw .invalid(field: "\(field).blob_size", reason: "an encrypted output gives the stored blob's size")
            }
            try encryption.validate(output: field, size: size, blobSize: blobSize)
        }
    }

    public struct Usage: Sendable, Hashable, Codable {
        public var promptTokens: UInt64
        public var completionTokens: UInt64
        public var tokensPerSecond: Double?

        public init(promptTokens: UInt64, completionTokens: UInt64, tokensPerSecond: Double? = nil) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.tokensPerSecond = tokensPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
            case tokensPerSecond = "tokens_per_second"
        }
    }

    /// The change token decoded, or nil when there is none.
    public func changeToken() throws(TokenError) -> Token? {
        try change.map { c throws(TokenError) in try Token.decode(c) }
    }

    /// A worker sends two outputs (the text and the transcript); a reader
    /// refuses more than this, so a result cannot make it fetch without end.
    public static let maxOutputs = 8
    /// The largest output a reader fetches (its content `size`, and its stored
    /// `blob_size`): far above any generated text.
    public static let maxOutputBytes: UInt64 = 64 << 20

    public func validate() throws(ContentError) {
        guard status.isTerminal else { throw .invalid(field: "status", reason: "a result has a final state, not \(status)") }
        if status == .completed, error != nil { throw .invalid(field: "error", reason: "a completed job has no error") }
        if status == .failed || status == .rejected, error == nil {
            throw .invalid(field: "error", reason: "a \(status) result says why")
        }
        try validateMoney()
        guard outputs.count <= Self.maxOutputs else {
            throw .invalid(field: "outputs", reason: "at most \(Self.maxOutputs) outputs")
        }
        for (i, o) in outputs.enumerated() {
            for (name, value) in [("size", o.size), ("blob_size", o.blobSize ?? 0)] where value > Self.maxOutputBytes {
                throw .invalid(field: "outputs[\(i)].\(name)", reason: "is above \(Self.maxOutputBytes) bytes")
            }
            guard Check.isURL(o.url, schemes: ["https", "http"]) else {
                throw .invalid(field: "outputs[\(i)].url", reason: "not an http(s) URL")
            }
            guard Check.isHex64(o.sha256) else {
                throw .invalid(field: "outputs[\(i)].sha256", reason: "not 64 lower-case hex characters")
            }
            guard (1...255).contains(o.type.count) else {
                throw .invalid(field: "outputs[\(i)].type", reason: "must be a media type")
            }
            try o.validateBlob(field: "outputs[\(i)]")
        }
        try WireBounds.counter(usage?.promptTokens, "usage.prompt_tokens")
        try WireBounds.counter(usage?.completionTokens, "usage.completion_tokens")
        if let tps = usage?.tokensPerSecond, !(tps.isFinite && tps >= 0) {
            throw .invalid(field: "usage.tokens_per_second", reason: "must be a finite number ≥ 0")
        }
    }

    /// A bill exactly when money was taken, balanced, and matched by the change token.
    private func validateMoney() throws(ContentError) {
        guard let bill else {
            guard !status.hasBill else { throw .invalid(field: "bill", reason: "a \(status) result carries the bill") }
            guard change == nil else { throw .invalid(field: "change", reason: "no change without a bill") }
            return
        }
        guard status.hasBill else { throw .invalid(field: "bill", reason: "nothing was taken from a \(status) job") }
        try bill.validate()
        let token: Token?
        do { token = try changeToken() } catch { throw .invalid(field: "change", reason: error.description) }
        guard let token else {
            guard bill.changeSat == .zero else {
                throw .invalid(field: "change", reason: "bill shows \(bill.changeSat) sat change but no token")
            }
            return
        }
        let value: Amount
        do { value = try token.amount() } catch { throw .invalid(field: "change", reason: error.description) }
        guard value == bill.changeSat else {
            throw .invalid(field: "change", reason: "token is worth \(value) sat, the bill says \(bill.changeSat)")
        }
    }
}
