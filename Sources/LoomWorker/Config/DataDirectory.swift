import Cashu
import Foundation

/// Where a worker's files live inside its data directory, and which
/// directory that is when `DATA_DIR` names none. The commands that act on a
/// running worker (`worker status|pause|resume`, `wallet --worker`) find
/// its files through here, so they and the worker can never disagree.
public enum DataDirectory {
    /// `$HOME/.loom`. `$HOME` comes first because Foundation on Linux reads the
    /// password database instead, so a service account or a test that sets
    /// `HOME` would otherwise get another folder than it asked for.
    public static func fallback(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let base = home.map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return base.appendingPathComponent(".loom")
    }

    /// `DATA_DIR` as the worker reads it: `~` expanded, relative to the current folder.
    public static func named(_ path: String) -> URL {
        URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL
    }

    /// The worker's wallet for `mint`: `wallets/<host_port>` (`mint.example.com_3338`).
    public static func wallet(of dataDirectory: URL, mint: String) -> URL {
        dataDirectory.appendingPathComponent("wallets").appendingPathComponent(walletFolder(Token.normalizeMintURL(mint)))
    }

    /// A readable, file-safe folder name per mint.
    static func walletFolder(_ mint: String) -> String {
        let bare = mint.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        return String(bare.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
    }
}
