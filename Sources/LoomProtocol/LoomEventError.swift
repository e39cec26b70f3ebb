import Nostr

/// Why a Loom event (other than an incoming job request, see
/// `RequestRejection`) could not be read.
public enum LoomEventError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongKind(expected: LoomKind, got: Int)
    case invalidEvent(EventError)
    case missingTag(String)
    case badTag(String, reason: String)
    /// The event is addressed (`p`) to another key, or is not from the expected author.
    case wrongParty(String)
    case undecryptable(NIP44Error)
    case content(ContentError)

    public var description: String {
        switch self {
        case .wrongKind(let expected, let got): "expected a \(expected) event, got kind \(got)"
        case .invalidEvent(let e): "invalid event: \(e)"
        case .missingTag(let name): "event has no \"\(name)\" tag"
        case .badTag(let name, let reason): "event tag \"\(name)\" is invalid: \(reason)"
        case .wrongParty(let why): why
        case .undecryptable(let e): "cannot decrypt the content: \(e)"
        case .content(let e): e.description
        }
    }
}

/// Small checks shared by the parsers.
enum Check {
    static func kind(_ event: Event, _ expected: LoomKind) throws(LoomEventError) {
        guard event.kind == expected.rawValue else { throw .wrongKind(expected: expected, got: event.kind) }
    }

    static func signature(_ event: Event) throws(LoomEventError) {
        do { try event.verify() } catch { throw .invalidEvent(error) }
    }

    /// The single value of a tag that must appear exactly once.
    static func single(_ name: String, in event: Event) throws(LoomEventError) -> String {
        let values = event.tagValues(name)
        guard let first = values.first else { throw .missingTag(name) }
        guard values.count == 1 else { throw .badTag(name, reason: "appears \(values.count) times") }
        return first
    }

    /// Lower-case 64-character hex: event ids and pubkeys as NIP-01 writes them.
    static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func hex64(_ name: String, in event: Event) throws(LoomEventError) -> String {
        let value = try single(name, in: event)
        guard isHex64(value) else { throw .badTag(name, reason: "is not 64 lower-case hex characters") }
        return value
    }

    /// An absolute URL with one of `schemes` and a host; nothing else is
    /// worth advertising or fetching.
    static func isURL(_ s: String, schemes: Set<String>) -> Bool {
        guard s.utf8.count <= 2048, let colon = s.firstIndex(of: ":") else { return false }
        let scheme = s[..<colon].lowercased()
        guard schemes.contains(scheme), s[colon...].hasPrefix("://") else { return false }
        let rest = s[s.index(colon, offsetBy: 3)...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !s.contains(where: { $0.isWhitespace })
    }

    static func urls(_ list: [String], field: String, schemes: Set<String>) throws(ContentError) {
        for (i, u) in list.enumerated() where !isURL(u, schemes: schemes) {
            throw .invalid(field: "\(field)[\(i)]", reason: "not a \(schemes.sorted().joined(separator: "/")) URL")
        }
    }

    static func content<T>(_ body: () throws(ContentError) -> T) throws(LoomEventError) -> T {
        do { return try body() } catch { throw .content(error) }
    }
}
