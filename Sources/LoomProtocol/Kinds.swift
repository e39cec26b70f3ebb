/// The Nostr event kinds of the Loom protocol (docs/PROTOCOL.md).
///
/// The numbers sit in the ranges NIP-01 gives each storage rule, so relays
/// treat every kind the way the protocol needs without knowing Loom:
/// one advertisement per worker, one status per job, requests and results kept,
/// live output chunks passed on and forgotten.
public enum LoomKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// A worker's offer. Replaceable (10000–19999): a relay keeps the newest per worker.
    case advertisement = 10100
    /// A client's job, encrypted to one worker. Regular.
    case jobRequest = 5100
    /// A worker's result, encrypted to the client. Regular: it is the receipt.
    case jobResult = 5101
    /// A client withdrawing its own request. Regular.
    case jobCancel = 5102
    /// Public progress of one job. Addressable (30000–39999) by `d` = request id:
    /// a relay keeps only the newest state of each job.
    case jobStatus = 30100
    /// A piece of a running job's output, encrypted to the client. Ephemeral
    /// (20000–29999): relays forward it to subscribers and do not keep it.
    case jobChunk = 20100

    public var description: String {
        switch self {
        case .advertisement: "advertisement (\(rawValue))"
        case .jobRequest: "job request (\(rawValue))"
        case .jobResult: "job result (\(rawValue))"
        case .jobCancel: "job cancel (\(rawValue))"
        case .jobStatus: "job status (\(rawValue))"
        case .jobChunk: "job chunk (\(rawValue))"
        }
    }
}

/// Tag names the Loom kinds use, in one place so builders and parsers agree.
public enum LoomTag {
    public static let pubkey = "p"
    public static let event = "e"
    public static let identifier = "d"
    public static let topic = "t"
    public static let geohash = "g"
    public static let price = "price"
    public static let mint = "mint"
    public static let encrypted = "encrypted"
    public static let relays = "relays"
    public static let status = "status"
}

/// The version of every Loom JSON content (`"v"`). A reader refuses any
/// other number instead of guessing what a newer writer meant.
public enum WireVersion {
    public static let current = 1
}
