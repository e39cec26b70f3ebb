import Foundation

/// The one writer behind every `--json`: keys sorted, so the output is the
/// same from run to run and diffs well, and URLs with their slashes as they are.
enum JSONOutput {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
