import Foundation
import Secp256k1

/// A NUT-10 well-known secret: `[kind, {"nonce", "data", "tags"}]`.
///
/// `raw` is the exact string the proof carries. Signatures and the mint's
/// hash_to_curve both work on those bytes, so a parsed secret is never
/// re-serialized for either.
public struct WellKnownSecret: Sendable, Hashable {
    public let kind: String
    public let nonce: String
    public let data: String
    public let tags: [[String]]
    public let raw: String

    /// Parses a proof's secret. Fails for an ordinary random secret too
    /// (`.notWellKnown`), which callers take to mean "no conditions".
    public init(parsing raw: String) throws(SpendingConditionError) {
        // Whatever a mint's JSON parser takes as an array (leading whitespace
        // included) it will enforce, so the same must count as well-known here.
        guard let json = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]),
            let array = json as? [Any]
        else { throw .notWellKnown }
        guard array.count == 2, let kind = array[0] as? String, let body = array[1] as? [String: Any] else {
            throw .malformed("a well-known secret is [kind, {nonce, data, tags}]")
        }
        guard let nonce = body["nonce"] as? String else { throw .malformed("nonce is missing or not a string") }
        guard let data = body["data"] as? String else { throw .malformed("data is missing or not a string") }
        var tags: [[String]] = []
        if let rawTags = body["tags"], !(rawTags is NSNull) {
            guard let list = rawTags as? [Any] else { throw .malformed("tags is not an array") }
            for item in list {
                // NUT-10: a tag is one or more non-empty strings.
                guard let tag = item as? [Any], !tag.isEmpty,
                    let strings = tag as? [String], strings.allSatisfy({ !$0.isEmpty }),
                    !tag.contains(where: { $0 is NSNumber })
                else { throw .malformed("a tag must be an array of one or more non-empty strings") }
                tags.append(strings)
            }
        }
        self.kind = kind
        self.nonce = nonce
        self.data = data
        self.tags = tags
        self.raw = raw
    }

    /// A new secret, written compactly in the order kind, nonce, data, tags.
    /// The nonce defaults to 32 random bytes in hex so that equal conditions
    /// still give distinct secrets.
    public init(kind: String, data: String, tags: [[String]] = [], nonce: String = Hex.encode(SecureRandom.bytes(32))) {
        self.kind = kind
        self.nonce = nonce
        self.data = data
        self.tags = tags
        var members: [(String, String)] = [("nonce", JSONText.string(nonce)), ("data", JSONText.string(data))]
        if !tags.isEmpty { members.append(("tags", JSONText.array(tags.map { JSONText.array($0.map(JSONText.string)) }))) }
        self.raw = JSONText.array([JSONText.string(kind), JSONText.object(members)])
    }

    /// The values of the tag named `name` (nil when absent). Callers that
    /// need "at most once" use `tagValues(_:unique:)`.
    public func tag(_ name: String) -> [String]? {
        tags.first { $0.first == name }.map { Array($0.dropFirst()) }
    }

    func tagValues(_ name: String, unique: Bool) throws(SpendingConditionError) -> [String]? {
        let matching = tags.filter { $0.first == name }
        if unique, matching.count > 1 { throw .duplicateTag(name) }
        return matching.first.map { Array($0.dropFirst()) }
    }
}

public enum SpendingConditionError: Error, Equatable, Sendable, CustomStringConvertible {
    case notWellKnown
    case malformed(String)
    case wrongKind(String)
    case duplicateTag(String)
    case invalidSigFlag(String)
    case invalidCount(tag: String, value: String)
    case duplicateKey
    case invalidPublicKey(String)
    case invalidWitness
    case notEnoughSignatures(required: Int, valid: Int)
    case sigAllMismatch
    case sigAllNeedsTransaction
    case noInputs

    public var description: String {
        switch self {
        case .notWellKnown: "secret is not a NUT-10 well-known secret"
        case .malformed(let why): "spending condition is malformed: \(why)"
        case .wrongKind(let k): "spending condition kind \"\(k)\" is not P2PK"
        case .duplicateTag(let t): "tag \"\(t)\" appears more than once"
        case .invalidSigFlag(let f): "sigflag \"\(f)\" is neither SIG_INPUTS nor SIG_ALL"
        case .invalidCount(let t, let v): "\(t) \"\(v)\" is not a positive integer within the number of keys"
        case .duplicateKey: "a public key appears twice in one signing pathway"
        case .invalidPublicKey(let k): "\"\(k)\" is not a compressed secp256k1 public key"
        case .invalidWitness: "witness is not {\"signatures\": [hex, ...]}"
        case .notEnoughSignatures(let r, let v): "needs valid signatures from \(r) distinct keys, found \(v)"
        case .sigAllMismatch: "SIG_ALL inputs must all be P2PK with the same data and tags"
        case .sigAllNeedsTransaction: "a SIG_ALL proof can only be checked with its whole transaction"
        case .noInputs: "the transaction has no inputs"
        }
    }
}
