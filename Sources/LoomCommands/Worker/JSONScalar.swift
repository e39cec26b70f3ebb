/// A JSON value for one flat line of output.
enum JSONScalar: Encodable {
    case text(String), int(Int64), number(Double)
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        }
    }
}
