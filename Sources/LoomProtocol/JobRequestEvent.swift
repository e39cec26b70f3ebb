import Nostr
import Secp256k1

/// A request that passed every check up to its content: who sent it, where
/// to answer, and what it asks.
public struct OpenedRequest: Sendable, Hashable {
    /// The request event id: the job id, the `d` of its status, the `e` of everything about it.
    public let id: String
    /// The client's key (hex): the author, the `p` of status and result.
    public let client: String
    public let createdAt: Int64
    public let expiresAt: Int64?
    /// Relays the client wants the answer on, besides the worker's own.
    public let relays: [String]
    public let request: JobRequest

    /// The same request with another input: a worker's, once it has fetched
    /// the input blob and put what it holds in its place.
    public func with(input: JobRequest.Input) -> OpenedRequest {
        var request = self.request
        request.input = input
        return OpenedRequest(
            id: id, client: client, createdAt: createdAt, expiresAt: expiresAt, relays: relays, request: request)
    }
}

extension JobRequest {
    /// The encrypted kind-5100 event from `client` to `worker`.
    public func seal(
        from client: SecretKey, to worker: XOnlyPublicKey, relays: [String] = [],
        expiresAt: Int64? = nil, createdAt: Int64 = Event.now()
    ) throws -> Event {
        try validate()
        guard !payment.isEmpty else { throw RequestRejection.paymentMissing }
        let ciphertext = try NIP44.encrypt(try WireJSON.encode(self), from: client, to: worker)
        var tags: [[String]] = [[LoomTag.pubkey, worker.hex], [LoomTag.encrypted]]
        if !relays.isEmpty { tags.append([LoomTag.relays] + relays) }
        if let expiresAt { tags.append(NIP40.tag(expiresAt: expiresAt)) }
        return try Event.sign(
            kind: LoomKind.jobRequest.rawValue, content: ciphertext, tags: tags,
            createdAt: createdAt, with: client)
    }

    /// Opens a request addressed to `workerKey`. See `RequestOpener`.
    public static func open(
        _ event: Event, workerKey: SecretKey, now: Int64 = Event.now(),
        isAllowed: (String) -> Bool = { _ in true }
    ) throws(RequestRejection) -> OpenedRequest {
        try RequestOpener(workerKey: workerKey).open(event, now: now, isAllowed: isAllowed)
    }
}

/// Checks incoming requests for one worker, cheapest check first, so that a
/// flood from strangers costs string compares, not curve operations:
///
/// 1. kind, `p` tag (exactly one, this worker), size;
/// 2. whitelist (`isAllowed`, given the author's hex key);
/// 3. id and signature;
/// 4. expiration;
/// 5. encryption form: a token in clear text, plaintext, or no `encrypted` tag;
/// 6. NIP-44 decryption;
/// 7. version, then schema; then whether a payment is there at all.
///
/// Model, mint, unit and amount are judged next by `Admission`, which needs
/// the worker's terms; DLEQ, P2PK and the swap belong to the payment desk.
public struct RequestOpener: Sendable {
    public static let defaultMaxEventBytes = 100_000

    let workerKey: SecretKey
    public let workerHex: String
    public let maxEventBytes: Int
    /// The operator's caps on the options (checked with the schema: `bad-schema`).
    public let optionLimits: OptionLimits

    public init(workerKey: SecretKey, maxEventBytes: Int = defaultMaxEventBytes, optionLimits: OptionLimits = .init()) {
        self.workerKey = workerKey
        self.workerHex = workerKey.xOnlyPublicKey.hex
        self.maxEventBytes = maxEventBytes
        self.optionLimits = optionLimits
    }

    public func open(
        _ event: Event, now: Int64 = Event.now(), isAllowed: (String) -> Bool = { _ in true }
    ) throws(RequestRejection) -> OpenedRequest {
        guard event.kind == LoomKind.jobRequest.rawValue else { throw .wrongKind(event.kind) }
        let addressees = event.tagValues(LoomTag.pubkey)
        guard addressees.count == 1, addressees[0] == workerHex else { throw .wrongWorker }
        let size = Self.approximateSize(event)
        guard size <= maxEventBytes else { throw .tooLarge(bytes: size, limit: maxEventBytes) }
        guard isAllowed(event.pubkey) else { throw .notWhitelisted }
        do { try event.verify() } catch { throw .badSignature }
        let expiresAt: Int64?
        do { expiresAt = try event.expiration } catch { throw .expired(at: nil) }
        if let expiresAt, now >= expiresAt { throw .expired(at: expiresAt) }
        try Self.checkEncryptionForm(event)
        let plaintext: String
        do {
            let client = try XOnlyPublicKey(hex: event.pubkey)
            plaintext = try NIP44.decrypt(event.content, to: workerKey, from: client)
        } catch {
            throw .undecryptable
        }
        let request: JobRequest
        do {
            request = try WireJSON.decode(JobRequest.self, from: plaintext)
            try request.validate()
            try optionLimits.check(request.options)
        } catch {
            if case .unsupportedVersion(let v) = error { throw .unsupportedVersion(v) }
            throw .badSchema(error.description)
        }
        guard !request.payment.isEmpty else { throw .paymentMissing }
        let relays = event.firstTag(LoomTag.relays).map { Array($0.dropFirst()) } ?? []
        return OpenedRequest(
            id: event.id, client: event.pubkey, createdAt: event.createdAt,
            expiresAt: expiresAt, relays: relays, request: request)
    }

    /// Content plus tag bytes: close to the wire size, without serialising.
    public static func approximateSize(_ event: Event) -> Int {
        event.content.utf8.count + event.tags.reduce(0) { $0 + $1.reduce(0) { $0 + $1.utf8.count + 3 } } + 200
    }

    /// A NIP-44 v2 payload is base64 of a buffer starting with byte 2, so its
    /// first character is `A` and it has no other characters than base64's.
    /// Anything else was never encrypted; if it holds a token, that token
    /// is now public and the client must be told so specifically.
    static func checkEncryptionForm(_ event: Event) throws(RequestRejection) {
        let content = event.content
        if event.tags.contains(where: { $0.contains(where: containsToken) }) { throw .clearTextPayment }
        if !looksLikeNIP44(content) {
            if containsToken(content) { throw .clearTextPayment }
            throw .notEncrypted
        }
        guard event.firstTag(LoomTag.encrypted) != nil else { throw .notEncrypted }
    }

    static func looksLikeNIP44(_ s: String) -> Bool {
        guard s.utf8.first == UInt8(ascii: "A"), s.utf8.count >= 132 else { return false }
        return s.utf8.allSatisfy { c in
            (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) || (0x30...0x39).contains(c)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
        }
    }

    /// `cashuA`/`cashuB` anywhere in the text.
    static func containsToken(_ s: String) -> Bool { s.contains("cashuA") || s.contains("cashuB") }
}
