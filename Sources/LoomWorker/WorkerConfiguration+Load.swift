import Foundation

/// A configuration key that is missing or wrong, with the fix. `loom worker`
/// prints it and stops before touching the network.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `.env` / environment key at fault, e.g. `PRICE_PER_SECOND`.
    public let key: String
    public let problem: String
    public let fix: String

    public init(key: String, problem: String, fix: String) {
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(key): \(problem). Fix: \(fix)" }
}

extension WorkerConfiguration {
    /// Reads the worker's settings. `values` is the merge of `.env` (lowest),
    /// the environment and command-line flags (highest), keyed by the names in
    /// `.env.example`. Returns the configuration and warnings to print (for
    /// example a secret file readable by others).
    ///
    /// The full rules live in WorkerConfiguration+Keys.swift (owned by the
    /// configuration work); this entry point is what `loom worker` calls.
    public static func load(_ values: [String: String]) throws(ConfigurationError) -> (WorkerConfiguration, warnings: [String]) {
        try parse(values)
    }
}
