/// Cuts a byte stream into lines. HTTP chunk boundaries fall anywhere, even
/// inside a UTF-8 character, so bytes are held until their `\n` arrives and
/// only whole lines are decoded.
struct LineBuffer: Sendable {
    /// A line longer than this is a broken or hostile server, not a token.
    let maxLineBytes: Int
    private var pending: [UInt8] = []

    init(maxLineBytes: Int = 8 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// The lines completed by `bytes`, without their `\n` or `\r\n`.
    mutating func append(_ bytes: some Sequence<UInt8>) throws(InferenceError) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                lines.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count > maxLineBytes {
                    throw .malformedStream("a line longer than \(maxLineBytes) bytes")
                }
            }
        }
        return lines
    }

    /// What is left when the stream ends: a last line without `\n`, if any.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
