import ArgumentParser
import Foundation

enum SecretFile {
    /// Creates the file with mode 0600 from the start, so the secret is
    /// never readable by others, not even for a moment.
    static func write(_ text: String, to path: String, overwrite: Bool) throws {
        if FileManager.default.fileExists(atPath: path) && !overwrite {
            throw ValidationError("\(path) already exists; pass --force to overwrite it")
        }
        let flags = O_WRONLY | O_CREAT | O_TRUNC
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // An existing file keeps its old mode through O_CREAT; force 0600.
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard Foundation.write(fd, bytes, bytes.count) == bytes.count else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
