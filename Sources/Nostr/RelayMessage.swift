import Foundation

/// What a client sends to a relay (NIP-01).
public enum ClientMessage: Sendable, Hashable {
    case event(Event)
    case req(subscriptionID: String, filters: [Filter])
    case close(subscriptionID: String)

    /// The message as compact JSON. An EVENT carries the event's own
    /// `jsonBytes`, so the relay re-hashes exactly the strings we signed.
    public var jsonBytes: [UInt8] {
        var out = [UInt8]()
        switch self {
        case .event(let event):
            out.append(contentsOf: Array(#"["EVENT","#.utf8))
            out.append(contentsOf: event.jsonBytes)
        case .req(let id, let filters):
            out.append(contentsOf: Array(#"["REQ","#.utf8))
            JSONString.append(id, to: &out, wire: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            for filter in filters {
                out.append(UInt8(ascii: ","))
                // Filter's encoding cannot fail: it holds only strings and integers.
                out.append(contentsOf: (try? encoder.encode(filter)) ?? Data("{}".utf8))
            }
        case .close(let id):
            out.append(contentsOf: Array(#"["CLOSE","#.utf8))
            JSONString.append(id, to: &out, wire: true)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }
}

/// What a relay sends to a client (NIP-01, plus NIP-42's AUTH so it can be
/// recognised and set aside rather than reported as garbage).
public enum RelayMessage: Sendable, Hashable {
    case event(subscriptionID: String, event: Event)
    case ok(eventID: String, accepted: Bool, message: String)
    case eose(subscriptionID: String)
    case closed(subscriptionID: String, message: String)
    case notice(String)
    case auth(challenge: String)

    /// Parses one relay message. Only the shape is checked here: whether an
    /// EVENT is genuine is `Event.verify()`'s job.
    public init(json: some DataProtocol) throws(RelayMessageError) {
        do {
            self = try JSONDecoder().decode(Wire.self, from: Data(json)).message
        } catch let error as RelayMessageError {
            throw error
        } catch {
            throw .notJSONArray(String(describing: error))
        }
    }

    public init(json: String) throws(RelayMessageError) { try self.init(json: Data(json.utf8)) }
}

/// Why a relay message could not be understood.
public enum RelayMessageError: Error, Hashable, CustomStringConvertible {
    case notJSONArray(String)
    case missingType
    case unknownType(String)
    /// The array is too short for its type, or a field has the wrong JSON type.
    case badField(type: String, index: Int, expected: String)
    case malformedEvent(String)

    public var description: String {
        switch self {
        case .notJSONArray(let why): "relay message is not a JSON array: \(why)"
        case .missingType: "relay message has no type string at index 0"
        case .unknownType(let t): "relay message type \"\(t)\" is not one we know"
        case .badField(let t, let i, let expected): "\(t) message: element \(i) should be \(expected)"
        case .malformedEvent(let why): "EVENT message carries a malformed event: \(why)"
        }
    }
}

/// Decodes the array element by element so EVENT's object goes straight into
/// `Event` without a second parse.
private struct Wire: Decodable {
    let message: RelayMessage

    init(from decoder: any Decoder) throws {
        var c: any UnkeyedDecodingContainer
        do { c = try decoder.unkeyedContainer() } catch { throw RelayMessageError.notJSONArray("top level is not an array") }
        guard let type = try? c.decode(String.self) else { throw RelayMessageError.missingType }

        func field<T: Decodable>(_ t: T.Type, _ expected: String) throws -> T {
            let index = c.currentIndex
            guard !c.isAtEnd, let value = try? c.decode(T.self) else {
                throw RelayMessageError.badField(type: type, index: index, expected: expected)
            }
            return value
        }

        switch type {
        case "EVENT":
            let sub = try field(String.self, "a subscription id string")
            guard !c.isAtEnd else { throw RelayMessageError.badField(type: type, index: 2, expected: "an event object") }
            do {
                message = .event(subscriptionID: sub, event: try c.decode(Event.self))
            } catch {
                throw RelayMessageError.malformedEvent(String(describing: error))
            }
        case "OK":
            let id = try field(String.self, "an event id string")
            let accepted = try field(Bool.self, "a boolean")
            // Some relays leave the message out when accepting.
            let text = try c.isAtEnd ? "" : field(String.self, "a message string")
            message = .ok(eventID: id, accepted: accepted, message: text)
        case "EOSE":
            message = .eose(subscriptionID: try field(String.self, "a subscription id string"))
        case "CLOSED":
            let sub = try field(String.self, "a subscription id string")
            let text = try c.isAtEnd ? "" : field(String.self, "a message string")
            message = .closed(subscriptionID: sub, message: text)
        case "NOTICE":
            message = .notice(try field(String.self, "a message string"))
        case "AUTH":
            message = .auth(challenge: try field(String.self, "a challenge string"))
        default:
            throw RelayMessageError.unknownType(type)
        }
    }
}
