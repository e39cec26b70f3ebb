import Foundation
import Logging
import LoomWorker
import Nostr

/// A stand-in whitelist until the real one (files and NIP-51 lists, followed
/// live) lands: the keys in `WHITELIST_FILE`, one hex or npub per line, `#`
/// comments allowed, read once at start. No file means nobody is allowed.
struct FileAccess: AccessPolicy {
    let keys: Set<String>

    init(_ file: URL?, logger: Logger) throws {
        guard let file, let text = try? String(contentsOf: file, encoding: .utf8) else {
            logger.warning("whitelist file not readable; no one may use this worker (set WHITELIST_ENABLED=false to open it)",
                           metadata: ["file": "\(file?.path ?? "-")"])
            keys = []
            return
        }
        var keys = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !entry.isEmpty else { continue }
            if let key = try? NIP19.publicKey(from: entry) { keys.insert(key.hex) } else {
                logger.warning("whitelist line is not a key; skipped", metadata: ["entry": "\(entry.prefix(20))"])
            }
        }
        self.keys = keys
        logger.info("whitelist loaded", metadata: ["keys": "\(keys.count)"])
    }

    func allows(_ pubkey: String) -> Bool { keys.contains(pubkey) }
}
