import Foundation

/// Why a Loom JSON content could not be read. Messages name the field but
/// never echo its value: contents may hold prompts or tokens.
public enum ContentError: Error, Equatable, Sendable, CustomStringConvertible {
    case notJSONObject
    case missingVersion
    case unsupportedVersion(Int)
    case schema(String)
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .notJSONObject: "content is not a JSON object"
        case .missingVersion: "content has no \"v\" field"
        case .unsupportedVersion(let v): "content version \(v) is not supported (this reader knows v\(WireVersion.current))"
        case .schema(let why): "content does not match the schema: \(why)"
        case .invalid(let field, let reason): "content field \"\(field)\" is invalid: \(reason)"
        }
    }
}

/// The one JSON writer and reader for Loom contents.
///
/// Keys are sorted so the same value always gives the same bytes (stable
/// event ids in tests, diffable logs). Every content is versioned: the reader
/// looks at `v` before anything else, so a v2 document is reported as "v2"
/// rather than as whatever field v1 happens to miss in it.
enum WireJSON {
    static func encode(_ value: some Encodable) throws(ContentError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(Versioned(value: value)), as: UTF8.self)
        } catch {
            // Only reachable with a non-finite Double; builders validate first.
            throw .schema("cannot be written as JSON: \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(ContentError) -> T {
        let data = Data(text.utf8)
        let probe: VersionProbe
        do { probe = try JSONDecoder().decode(VersionProbe.self, from: data) } catch let e as ContentError {
            throw e
        } catch {
            throw .notJSONObject
        }
        guard let v = probe.v else { throw .missingVersion }
        guard v == WireVersion.current else { throw .unsupportedVersion(v) }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let e as ContentError {
            throw e
        } catch let e as DecodingError {
            throw .schema(Self.describe(e))
        } catch {
            throw .schema(String(describing: error))
        }
    }

    /// A short, value-free account of a decoding error: which field, what kind of problem.
    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context, _ extra: CodingKey? = nil) -> String {
            let keys = c.codingPath + (extra.map { [$0] } ?? [])
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "(top level)" : p.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let c): return "missing field \(path(c, key))"
        case .typeMismatch(let type, let c): return "field \(path(c)) is not \(typeName(type))"
        case .valueNotFound(let type, let c): return "field \(path(c)) is null, expected \(typeName(type))"
        case .dataCorrupted(let c): return "field \(path(c)): \(c.debugDescription)"
        @unknown default: return "unreadable"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type, is UInt32.Type, is UInt.Type: "a non-negative whole number"
        case is Double.Type: "a number"
        default: "of the expected shape"
        }
    }
}

/// Writes `"v": 1` beside the value's own keys.
private struct Versioned<Value: Encodable>: Encodable {
    let value: Value
    enum Key: String, CodingKey { case v }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(WireVersion.current, forKey: .v)
        try value.encode(to: encoder)
    }
}

private struct VersionProbe: Decodable {
    let v: Int?
    enum Key: String, CodingKey { case v }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        do { v = try c.decodeIfPresent(Int.self, forKey: .v) } catch {
            throw ContentError.invalid(field: "v", reason: "must be a whole number")
        }
    }
}
