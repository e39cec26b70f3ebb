import Foundation
import LoomWorker

/// What a command uses when no flag says otherwise, read from the
/// environment in one place: the data directory, relays, mints, servers.
enum Defaults {
    /// `name` from the environment, nil when unset or empty.
    static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// `--data-dir`, else `$DATA_DIR`, else `$HOME/.loom`: the client's data.
    /// Commands that act on a worker read its `.env` too (`OperatorDirectory`).
    static func dataDirectory(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = environment("DATA_DIR") { return URL(fileURLWithPath: env) }
        return DataDirectory.fallback()
    }

    /// A comma-separated variable (`NOSTR_RELAYS`, `BLOSSOM_SERVER_URL`):
    /// each item trimmed, empty ones dropped.
    static func list(_ name: String) -> [String] {
        (environment(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `$LOOM_CRASH_AT`, the crash tests' hook: the named step SIGKILLs the
    /// process. Read here only and passed down (`WorkerConfiguration.crashPoint`,
    /// `Wallet(…, crashPoint:)`), so the libraries never read the environment.
    static var crashPoint: String? { environment("LOOM_CRASH_AT") }

    /// `--mint URL`, else the first of `$CASHU_MINT_URL`, else nil.
    static func mint(_ option: String?) -> String? {
        if let option { return option }
        let first = (environment("CASHU_MINT_URL") ?? "").split(separator: ",").first
        return first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
