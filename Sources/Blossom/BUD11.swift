import Foundation
import Nostr
import Secp256k1

/// The action a kind-24242 token permits (BUD-11 `t` tag).
public enum BlossomVerb: String, Sendable, CaseIterable {
    case get, upload, list, delete, media
}

/// Kind-24242 authorization tokens (BUD-11): building them on the client and
/// checking them on the server. Pure values and rules, no I/O.
public enum BlossomAuth {
    public static let kind = 24242

    /// Signs a token for `verb`. `hashes` become `x` tags (required by the
    /// server for upload and delete); `servers` become `server` tags so a
    /// leaked token cannot be replayed elsewhere.
    public static func token(
        verb: BlossomVerb, content: String, hashes: [String] = [], servers: [String] = [],
        expiration: Int64, createdAt: Int64 = Event.now(), key: SecretKey
    ) throws -> Event {
        var tags: [[String]] = [["t", verb.rawValue], ["expiration", String(expiration)]]
        tags += hashes.map { ["x", $0] }
        tags += servers.map { ["server", $0.lowercased()] }
        return try Event.sign(kind: kind, content: content, tags: tags, createdAt: createdAt, with: key)
    }

    /// `Nostr <base64url, no padding>` as BUD-11 specifies.
    public static func headerValue(for event: Event) -> String {
        let b64 = Data(event.jsonBytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "Nostr " + b64
    }

    /// Parses an `Authorization` header. Both base64url and classic base64,
    /// padded or not, are accepted: older clients send the classic form.
    public static func parseHeader(_ value: String, maxBytes: Int = 16 * 1024) throws(AuthError) -> Event {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "nostr" else { throw .notNostrScheme }
        var b64 = parts[1].trimmingCharacters(in: .whitespaces)
        guard b64.utf8.count <= maxBytes * 4 / 3 + 4 else { throw .malformed("token is too large") }
        b64 = b64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.utf8.count % 4) % 4)
        guard let json = Data(base64Encoded: b64) else { throw .malformed("token is not base64") }
        do { return try Event(json: json) } catch { throw .malformed("token is not a Nostr event: \(error)") }
    }

    /// What an endpoint demands of a token.
    public struct Requirement: Sendable {
        public var verb: BlossomVerb
        /// The blob hash the endpoint acts on, when it is known before checking.
        public var hash: String?
        /// Whether an `x` tag naming `hash` is mandatory (upload, delete).
        public var hashRequired: Bool
        /// This server's domain names; checked only when the token has `server` tags.
        public var serverDomains: Set<String>

        public init(verb: BlossomVerb, hash: String? = nil, hashRequired: Bool = false, serverDomains: Set<String> = []) {
            self.verb = verb
            self.hash = hash
            self.hashRequired = hashRequired
            self.serverDomains = Set(serverDomains.map { $0.lowercased() })
        }
    }

    /// Runs every BUD-11 check, cheapest first, and throws the first failure.
    /// `clockSkew` tolerates a client clock slightly ahead of ours.
    public static func check(
        _ event: Event, _ req: Requirement, now: Int64 = Event.now(), clockSkew: Int64 = 60
    ) throws(AuthError) {
        guard event.kind == kind else { throw .wrongKind(event.kind) }
        guard event.createdAt <= now + clockSkew else { throw .createdInFuture(event.createdAt) }
        guard let expText = event.tagValues("expiration").first else { throw .missingExpiration }
        guard let exp = Int64(expText) else { throw .malformed("expiration is not a number") }
        guard exp > now else { throw .expired(exp) }
        let verbs = event.tagValues("t")
        guard verbs.contains(req.verb.rawValue) else { throw .wrongVerb(expected: req.verb, got: verbs) }
        let servers = event.tagValues("server").map { $0.lowercased() }
        if !servers.isEmpty, req.serverDomains.isDisjoint(with: servers) { throw .wrongServer(servers) }
        let xs = event.tagValues("x")
        if req.hashRequired && xs.isEmpty { throw .missingHash }
        if let hash = req.hash, !xs.isEmpty || req.hashRequired, !xs.contains(hash) {
            throw .hashNotAuthorized(hash)
        }
        // Signature last: it is the expensive check and all the above are free.
        do { try event.verify() } catch { throw .invalidSignature(error.description) }
    }
}

/// Why a token was refused. `description` is sent as `X-Reason`.
public enum AuthError: Error, Equatable, CustomStringConvertible {
    case missing
    case notNostrScheme
    case malformed(String)
    case wrongKind(Int)
    case createdInFuture(Int64)
    case missingExpiration
    case expired(Int64)
    case wrongVerb(expected: BlossomVerb, got: [String])
    case wrongServer([String])
    case missingHash
    case hashNotAuthorized(String)
    case invalidSignature(String)
    case pubkeyNotAllowed(String)

    public var description: String {
        switch self {
        case .missing: "authorization required: send 'Authorization: Nostr <base64url kind-24242 event>'"
        case .notNostrScheme: "authorization scheme must be 'Nostr'"
        case .malformed(let why): "malformed authorization: \(why)"
        case .wrongKind(let k): "authorization event must be kind 24242, got \(k)"
        case .createdInFuture(let t): "authorization created_at \(t) is in the future"
        case .missingExpiration: "authorization has no expiration tag"
        case .expired(let t): "authorization expired at \(t)"
        case .wrongVerb(let want, let got):
            "authorization t tag must be '\(want.rawValue)', got \(got.isEmpty ? "none" : got.joined(separator: ","))"
        case .wrongServer(let s): "authorization is scoped to other servers: \(s.joined(separator: ","))"
        case .missingHash: "authorization has no x tag"
        case .hashNotAuthorized(let h): "authorization x tags do not include \(h)"
        case .invalidSignature(let why): "authorization event is invalid: \(why)"
        case .pubkeyNotAllowed(let pk): "pubkey \(pk) is not allowed on this server"
        }
    }
}
