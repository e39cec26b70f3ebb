import Foundation

/// The checkout this test binary was built from, for files the tests read
/// (`.env.example`). LoomTestSupport's `TestServer.packageRoot` is the same place.
public enum Repository {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
