import Foundation

/// A job's input carried as an encrypted Blossom blob instead of inline:
/// for documents and chat histories that would make the request event
/// larger than the worker (or a public relay) takes.
///
/// The client encrypts exactly as a worker encrypts its outputs
/// (`BlobEncryption`: a fresh AES-256-GCM key and nonce, `ciphertext ‖ tag`
/// stored), uploads the blob to one of the worker's advertised Blossom
/// servers, and names it here, inside the NIP-44 request. The worker fetches
/// it by `blob_sha256` from its own servers only, never from a URL the
/// client gives: a request cannot make the worker dial anywhere.
///
/// The plaintext is a versioned JSON object with `prompt` or `messages`
/// (`InputBlob.Body`), the same fields a request carries inline.
public struct InputBlob: Sendable, Hashable, Codable {
    /// SHA-256 of the plaintext, lower-case hex.
    public var sha256: String
    /// Bytes of the plaintext.
    public var size: UInt64
    public var encryption: BlobEncryption
    /// SHA-256 of the stored bytes: the blob's Blossom address.
    public var blobSha256: String
    /// Bytes stored: `size` + 16.
    public var blobSize: UInt64

    public init(sha256: String, size: UInt64, encryption: BlobEncryption, blobSha256: String, blobSize: UInt64) {
        self.sha256 = sha256
        self.size = size
        self.encryption = encryption
        self.blobSha256 = blobSha256
        self.blobSize = blobSize
    }

    enum CodingKeys: String, CodingKey {
        case sha256, size, encryption
        case blobSha256 = "blob_sha256", blobSize = "blob_size"
    }

    static let field = "input_blob"

    /// Shapes only; the bytes are judged when the worker has them (`open`).
    /// Unlike an output's, the algorithm must be one this version knows: a
    /// worker cannot run a job whose input it cannot read.
    func validate() throws(ContentError) {
        for (name, hash) in [("sha256", sha256), ("blob_sha256", blobSha256)]
        where hash.utf8.count != 64 || !BlobEncryption.isHexString(hash, maxLength: 64) {
            throw .invalid(field: "\(Self.field).\(name)", reason: "must be 64 lower-case hex characters")
        }
        guard encryption.algorithm == BlobEncryption.aes256GCM else {
            throw .invalid(
                field: "\(Self.field).encryption.algorithm", reason: "must be \(BlobEncryption.aes256GCM) (the only one in v1)")
        }
        try encryption.validate(output: Self.field, size: size, blobSize: blobSize)
    }

    /// The plaintext from the downloaded bytes, checked in order: the blob's
    /// hash, the tag, the plaintext's hash (the same steps as an output's).
    public func open(_ blob: some DataProtocol) throws(BlobError) -> Data {
        try asOutput.open(blob)
    }

    private var asOutput: JobResult.Output {
        JobResult.Output(
            url: "", sha256: sha256, size: size, type: Body.mediaType, encryption: encryption,
            blobSha256: blobSha256, blobSize: blobSize)
    }

    /// Encrypts `input` (a prompt or messages) for upload.
    public static func seal(_ input: JobRequest.Input) throws -> (reference: InputBlob, blob: Data) {
        let sealed = try BlobEncryption.seal(Data(try Body(input).encoded().utf8))
        let reference = InputBlob(
            sha256: sealed.sha256, size: sealed.size, encryption: sealed.encryption,
            blobSha256: sealed.blobSha256, blobSize: sealed.blobSize)
        return (reference, sealed.blob)
    }

    /// The decrypted blob: `{"v":1,"prompt":…}` or `{"v":1,"messages":[…]}`.
    public struct Body: Sendable, Hashable, Codable {
        public static let mediaType = "application/json"

        public var prompt: String?
        public var messages: [ChatMessage]?

        public init(_ input: JobRequest.Input) throws(ContentError) {
            switch input {
            case .prompt(let p): prompt = p
            case .messages(let m): messages = m
            case .blob: throw .invalid(field: InputBlob.field, reason: "an input blob cannot hold another")
            }
        }

        public func encoded() throws(ContentError) -> String { try WireJSON.encode(self) }

        /// The input the blob holds, checked as an inline one would be.
        public static func input(from plaintext: Data) throws(ContentError) -> JobRequest.Input {
            let body = try WireJSON.decode(Body.self, from: String(decoding: plaintext, as: UTF8.self))
            switch (body.prompt, body.messages) {
            case (let p?, nil): return .prompt(p)
            case (nil, let m?): return .messages(m)
            default: throw .invalid(field: InputBlob.field, reason: "the blob must hold exactly one of prompt or messages")
            }
        }
    }
}

extension InputBlob: CustomStringConvertible {
    // The key is a secret: descriptions show the address and size only.
    public var description: String { "InputBlob(\(blobSha256.prefix(16))…, \(size) bytes, \(encryption))" }
}
