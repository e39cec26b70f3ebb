import Foundation

/// `.env` files as operators write them: `KEY=VALUE` per line, `#` comments,
/// blank lines, an optional `export ` prefix (so the file can also be
/// `source`d by a shell) and values in single or double quotes.
public enum DotEnv {
    /// Lines that could not be read, each with its 1-based line number.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static func parse(_ text: String) -> (values: [String: String], problems: [Problem]) {
        var values: [String: String] = [:], problems: [Problem] = []
        // Split on any line ending: "\r\n" is one Character in Swift, not "\r" then "\n".
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else {
                problems.append(Problem(line: index + 1, reason: "expected KEY=VALUE"))
                continue
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard isKey(key) else {
                // Not repeated: whatever stands there could be a pasted secret.
                problems.append(Problem(line: index + 1, reason: "the name before = is not a variable name (letters, digits, _)"))
                continue
            }
            switch value(line[line.index(after: eq)...]) {
            case .success(let v): values[key] = v
            case .failure(let p): problems.append(Problem(line: index + 1, reason: p.reason))
            }
        }
        return (values, problems)
    }

    private struct Unreadable: Error { let reason: String }

    /// Unquoted values end at ` #` (a trailing comment); quoted ones are
    /// taken verbatim, and double quotes also understand `\n`, `\"`, `\\`.
    private static func value(_ text: Substring) -> Result<String, Unreadable> {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let quote = t.first, quote == "\"" || quote == "'" else {
            let cut = t.range(of: " #").map { String(t[..<$0.lowerBound]) } ?? t
            return .success(cut.trimmingCharacters(in: .whitespaces))
        }
        var out = "", escaped = false, closed: String.Index?
        for i in t.indices.dropFirst() {
            let c = t[i]
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" && quote == "\"" {
                escaped = true
            } else if c == quote {
                closed = i
                break
            } else {
                out.append(c)
            }
        }
        guard let closed else { return .failure(Unreadable(reason: "the \(quote) quote is not closed")) }
        let rest = t[t.index(after: closed)...].trimmingCharacters(in: .whitespaces)
        guard rest.isEmpty || rest.hasPrefix("#") else {
            return .failure(Unreadable(reason: "unexpected text after the closing quote"))
        }
        return .success(out)
    }

    private static func isKey(_ s: String) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// The worker's settings: `.env` (lowest) < environment < flags (highest).
    /// A missing `.env` is fine (everything may come from the environment);
    /// an unreadable line is an error, because a half-read file would run
    /// the worker with settings the operator did not write. Warns when the
    /// file is readable by others (it holds, or may hold, the secret key) and
    /// about names in it that no command reads (typos).
    public static func merged(
        file: URL? = URL(fileURLWithPath: ".env"),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [String: String] = [:]
    ) throws(ConfigurationError) -> (values: [String: String], warnings: [String]) {
        var values: [String: String] = [:], warnings: [String] = []
        if let file, FileManager.default.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw ConfigurationError(
                    key: file.path, problem: "cannot be read", fix: "check the file's owner and mode (chmod 600 \(file.path))")
            }
            let (parsed, problems) = parse(text)
            if let first = problems.first {
                throw ConfigurationError(
                    key: file.path, problem: first.description,
                    fix: "write KEY=VALUE, or start the line with # to make it a comment")
            }
            if let warning = permissionWarning(path: file.path) { warnings.append(warning) }
            for key in parsed.keys.sorted()
            where !ConfigurationKey.all.contains(key) && !key.hasPrefix("LOOM_")
                && !key.lowercased().hasPrefix("nsec")
            {
                warnings.append("\(file.path): \(key) is not a loom setting and is ignored (see .env.example)")
            }
            values = parsed
        }
        values.merge(environment) { $1 }
        values.merge(flags) { $1 }
        return (values, warnings)
    }

    /// A warning when `path` is readable or writable by group or others
    /// (mode & 0o077): secrets on disk must be private to their owner.
    public static func permissionWarning(path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0
        else { return nil }
        return "\(path) is readable by other users (mode \(String(mode & 0o777, radix: 8))); run: chmod 600 \(path)"
    }
}
