import Foundation

/// A fresh folder under the system's temporary directory, named for what
/// asked for it (`loom-<label>-<uuid>`), so a leftover one says whose it was.
public func temporaryDirectory(_ label: String) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
