/// What of the final text is still to be sent after `streamed` went out.
public enum LiveTextRemainder {
    /// The final text past what was streamed; nil when the two disagree
    /// (chunks lost or altered on the way): sent text cannot be taken back,
    /// so the caller keeps what it got and the gateway logs the mismatch.
    public static func remainder(streamed: String, final: String) -> String? {
        // Bytes, not characters: a delta may end inside a grapheme cluster.
        guard final.utf8.starts(with: streamed.utf8) else { return nil }
        return String(decoding: final.utf8.dropFirst(streamed.utf8.count), as: UTF8.self)
    }
}
