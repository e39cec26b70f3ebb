import ArgumentParser
import Foundation
import LoomWorker

/// The data directory of the worker an operator command acts on, resolved the
/// way `loom worker run` resolves it: `--data-dir`, then `$DATA_DIR`, then
/// `DATA_DIR` in `.env` (here, or `--env-file`), then `$HOME/.loom`. One
/// resolution for `worker status|pause|resume` and `wallet --worker`, so a pause
/// written from the worker's folder reaches the worker started there.
struct OperatorDirectory: Encodable {
    enum Source: String, Encodable {
        case flag = "--data-dir", environment = "$DATA_DIR", envFile = ".env", home = "$HOME/.loom"
    }

    let url: URL
    let source: Source
    /// The `.env` that was read, when there is one.
    let envFile: String?
    /// Set when that `.env` names another data directory than the one used:
    /// a worker started from this folder would not be the one acted on.
    let mismatch: String?
    /// The `.env`'s own values (`CASHU_MINT_URL` for `wallet --worker`).
    let fileValues: [String: String]

    enum CodingKeys: String, CodingKey {
        case path = "data_dir", source, envFile = "env_file", mismatch
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(url.path, forKey: .path)
        try c.encode(source, forKey: .source)
        try c.encode(envFile, forKey: .envFile)
        try c.encode(mismatch, forKey: .mismatch)
    }

    /// "data directory: /srv/loom/data (from .env)", the line pause and resume print first.
    var line: String { "data directory: \(url.path) (from \(source == .envFile ? envFile ?? ".env" : source.rawValue))" }

    static func resolve(
        flag: String?, envFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> OperatorDirectory {
        let (file, fileValues) = try Self.read(envFile)
        let named = fileValues["DATA_DIR"].flatMap { $0.isEmpty ? nil : DataDirectory.named($0) }
        let fromEnvironment = environment["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        let (url, source): (URL, Source) =
            if let flag { (DataDirectory.named(flag), .flag) } else if let fromEnvironment {
                (DataDirectory.named(fromEnvironment), .environment)
            } else if let named { (named, .envFile) } else { (DataDirectory.fallback(environment: environment), .home) }
        let mismatch = named.flatMap { named in
            named.path == url.path
                ? nil
                : "\(file ?? ".env") names DATA_DIR=\(named.path), but \(source.rawValue) chose \(url.path): "
                    + "a worker started with that .env is not the one this command acts on"
        }
        return OperatorDirectory(url: url, source: source, envFile: file, mismatch: mismatch, fileValues: fileValues)
    }

    /// The values of `envFile` (must exist) or of `./.env` (when it exists), and its path.
    private static func read(_ envFile: String?) throws -> (String?, [String: String]) {
        if let envFile, !FileManager.default.fileExists(atPath: envFile) {
            throw ValidationError("no such file: \(envFile)")
        }
        let path = envFile ?? ".env"
        guard FileManager.default.fileExists(atPath: path) else { return (nil, [:]) }
        do {
            return (path, try DotEnv.merged(file: URL(fileURLWithPath: path), environment: [:]).values)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `--data-dir` and `--env-file` for the commands that act on a worker.
struct OperatorDirectoryOptions: ParsableArguments {
    @Option(help: "Data directory of the worker. Default: $DATA_DIR, else DATA_DIR in .env, else $HOME/.loom.")
    var dataDir: String?

    @Option(name: .customLong("env-file"), help: "The worker's .env (default: ./.env when present).")
    var envFile: String?

    func resolve() throws -> OperatorDirectory { try OperatorDirectory.resolve(flag: dataDir, envFile: envFile) }
}
