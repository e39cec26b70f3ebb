import Foundation

enum FilePermissions {
    /// Secrets on disk must not be readable by group or others.
    static func warnIfReadableByOthers(_ path: String, _ console: Console) {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attrs[.posixPermissions] as? NSNumber
        else { return }
        if mode.intValue & 0o077 != 0 {
            console.warn(
                "warning: \(path) is readable by other users (mode \(String(mode.intValue, radix: 8))); run: chmod 600 \(path)")
        }
    }
}
