import Foundation

/// One measure: a rate in operations per second, or a value in the unit its
/// name gives in parentheses ("… (MB/s)", "… (median ms)").
struct BenchResult: Encodable {
    let name: String
    let iterations: Int
    let seconds: Double
    let opsPerSecond: Double

    func textLine() -> String {
        let name = self.name.padding(toLength: 58, withPad: " ", startingAt: 0)
        if self.name.hasSuffix(")") {  // a measure with its own unit, named in the parentheses
            return "\(name) \(String(format: "%12.1f", opsPerSecond))"
        }
        let rate = String(format: "%12.0f", opsPerSecond)
        let per = String(format: "%8.2f", seconds == 0 ? 0 : 1e6 / opsPerSecond)
        return "\(name) \(rate) ops/s  \(per) µs/op"
    }

    /// The same encoding as `loom … --json`: sorted keys, slashes as they are.
    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// A benchmark that could not measure: its setup failed, or the operation
/// did not give the answer it must (a measure of wrong work means nothing).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
