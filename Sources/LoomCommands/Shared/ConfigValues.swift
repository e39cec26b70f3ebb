import ArgumentParser
import Foundation
import LoomWorker

/// The settings a worker-side command (`worker run`, `doctor`) reads: `.env`
/// first, then the environment over it, then flags (see `DotEnv.merged`).
enum ConfigValues {
    /// `envFile` nil means `./.env` when it exists; a named file must exist.
    static func merged(envFile: String?, flags: [String: String] = [:]) throws -> (values: [String: String], warnings: [String]) {
        if let envFile, !FileManager.default.fileExists(atPath: envFile) {
            throw ValidationError("no such file: \(envFile)")
        }
        do {
            return try DotEnv.merged(file: URL(fileURLWithPath: envFile ?? ".env"), flags: flags)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
