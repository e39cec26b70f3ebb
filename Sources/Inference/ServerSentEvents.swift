/// Assembles server-sent events from lines (WHATWG HTML, "Parsing an event
/// stream"): `data:` lines accumulate, a blank line dispatches, `:` starts a
/// comment, one space after the colon is dropped.
struct ServerSentEvents: Sendable {
    struct Event: Sendable, Equatable {
        var name: String?
        var data: String
    }

    private var data: [String] = []
    private var name: String?

    /// The event completed by `line`, if any.
    mutating func feed(_ line: String) -> Event? {
        if line.isEmpty { return dispatch() }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "data":
            data.append(String(value))
        case "event":
            name = String(value)
        case "error":
            // Not an SSE field, but llama.cpp's server has written errors as
            // `error: {json}` in place of `data:`; keep it rather than drop it.
            name = "error"
            data.append(String(value))
        default:
            break  // id, retry and unknown fields mean nothing to us
        }
        return nil
    }

    /// A last event the server did not terminate with a blank line.
    mutating func finish() -> Event? { dispatch() }

    private mutating func dispatch() -> Event? {
        defer {
            data = []
            name = nil
        }
        guard !data.isEmpty else { return nil }
        return Event(name: name, data: data.joined(separator: "\n"))
    }
}
