import ArgumentParser
import Foundation
import LoomWorker

/// The settings a worker-side command reads: `.env` first, then the
/// environment over it (so `FOO=1 loom worker run` beats the file).
enum ConfigValues {
    static func merged(envFile: String?) throws -> [String: String] {
        var values: [String: String] = [:]
        let path = envFile ?? ".env"
        if FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read \(path)")
            }
            for line in text.split(separator: "\n") {
                var entry = line.trimmingCharacters(in: .whitespaces)
                if entry.isEmpty || entry.hasPrefix("#") { continue }
                if entry.hasPrefix("export ") { entry.removeFirst(7) }
                guard let eq = entry.firstIndex(of: "=") else { continue }
                var value = entry[entry.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                    value = String(value.dropFirst().dropLast())
                }
                values[entry[..<eq].trimmingCharacters(in: .whitespaces)] = value
            }
        } else if envFile != nil {
            throw ValidationError("no such file: \(path)")
        }
        values.merge(ProcessInfo.processInfo.environment) { _, env in env }
        return values
    }
}
