import Foundation

/// The small MIME table Blossom needs: servers must put an extension in a
/// blob's URL (BUD-02) and clients guess a type for files they upload.
/// Deliberately short: unknown types fall back to `application/octet-stream`.
public enum MediaType {
    public static let fallback = "application/octet-stream"

    private static let table: [(ext: String, type: String)] = [
        ("txt", "text/plain"), ("md", "text/markdown"), ("html", "text/html"), ("css", "text/css"),
        ("csv", "text/csv"), ("json", "application/json"), ("jsonl", "application/jsonl"),
        ("ndjson", "application/x-ndjson"), ("js", "text/javascript"), ("xml", "application/xml"),
        ("pdf", "application/pdf"), ("zip", "application/zip"), ("gz", "application/gzip"),
        ("tar", "application/x-tar"), ("wasm", "application/wasm"),
        ("png", "image/png"), ("jpg", "image/jpeg"), ("gif", "image/gif"), ("webp", "image/webp"),
        ("svg", "image/svg+xml"), ("avif", "image/avif"),
        ("mp3", "audio/mpeg"), ("ogg", "audio/ogg"), ("wav", "audio/wav"), ("flac", "audio/flac"),
        ("mp4", "video/mp4"), ("webm", "video/webm"), ("mov", "video/quicktime"),
        ("bin", fallback),
    ]

    /// Extension (no dot) for a MIME type; parameters such as `; charset=` are ignored.
    public static func fileExtension(for type: String) -> String {
        let bare = essence(type)
        return table.first { $0.type == bare }?.ext ?? "bin"
    }

    public static func type(forExtension ext: String) -> String {
        let e = ext.lowercased()
        if e == "jpeg" { return "image/jpeg" }
        return table.first { $0.ext == e }?.type ?? fallback
    }

    /// `text/plain; charset=utf-8` → `text/plain`, lower-cased.
    public static func essence(_ type: String) -> String {
        String(type.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A type is stored only if it looks like `type/subtype` without control
    /// characters, so a hostile upload cannot inject response headers.
    public static func sanitized(_ type: String?) -> String {
        guard let type else { return fallback }
        let t = type.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 255, t.contains("/"),
            t.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f })
        else { return fallback }
        return t
    }
}
