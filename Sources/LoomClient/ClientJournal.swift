import Foundation
import Nostr

/// What the client must remember about a job across a crash: which worker,
/// the signed request, and the money still in flight (the payment token
/// until the worker has taken it, the change token until it is redeemed).
public struct JournaledJob: Sendable, Codable, Hashable {
    public enum Stage: String, Sendable, Codable {
        /// Written before the request is published.
        case submitted
        /// A final state arrived and every token it concerned is settled.
        case settled
    }

    public var jobID: String
    /// Worker key, hex.
    public var worker: String
    public var relays: [String]
    /// The relays the worker advertised: the request (and a cancel) must reach them.
    public var workerRelays: [String]?
    /// The signed kind-5100 event (its content is NIP-44 ciphertext, so it holds no secret in clear).
    public var request: Event
    /// The model asked for, kept so `loom job list` can show it without
    /// opening the request. Nil in entries written before it was kept.
    public var model: String?
    public var paidSat: UInt64
    /// The mint the payment came from: change arrives from the same mint.
    public var mint: String?
    /// The payment, kept while it may still be ours: reclaimed into the wallet
    /// when the worker rejects the job or never answers. Nil when the token
    /// was passed in by the user or locked to the worker (we cannot redeem it).
    public var reclaimableToken: String?
    /// How the job was paid: `wallet`, `wallet-locked` (P2PK to the worker) or `token` (given by the user).
    public var paymentSource: String?
    /// A change token that arrived but could not yet be redeemed (mint down).
    public var pendingChange: String?
    public var stage: Stage
    public var createdAt: Int64
    public var lastState: String?
    public var note: String?
    /// What sent the job when it was not `loom job submit`: `gateway` for `loom gateway`'s calls.
    public var via: String? = nil

    // What the worker record (`WorkerRecord`) is made of; nil in entries written before it was kept.

    /// The offer's price and minimum when the job was sent: the bill is checked against them.
    public var offerMsatPerSecond: UInt64? = nil
    public var offerMinSeconds: UInt64? = nil
    /// What left the wallet: the payment and the fee of making it.
    public var spentSat: UInt64? = nil
    /// What came back into the wallet: the reclaimed payment, the redeemed change.
    public var returnedSat: UInt64? = nil
    /// From the worker's bill and usage.
    public var chargedSat: UInt64? = nil
    public var billedMs: UInt64? = nil
    public var completionTokens: UInt64? = nil
    /// Milliseconds from publishing the request to the first live text (streamed jobs) and to the result.
    public var firstTextMs: UInt64? = nil
    public var resultMs: UInt64? = nil
    /// The error code the job ended with (`silent` when the worker never spoke), for failures by cause.
    public var cause: String? = nil
    /// What the worker did wrong in this job (`Finding` codes); empty or nil when nothing.
    public var findings: [String]? = nil

    /// What this job has cost the wallet so far: spent less what came back.
    public var costSat: UInt64? {
        spentSat.map { $0 - min($0, returnedSat ?? 0) }
    }
}

/// The client's small journal: one JSON file per job under
/// `<data dir>/jobs/`, written by atomic rename and readable only by the
/// owner (it may hold tokens). Files, not SQLite: jobs are few, each is
/// written a handful of times, and a file per job cannot corrupt the others.
public struct ClientJournal: Sendable {
    public let directory: URL

    public init(dataDirectory: URL) throws {
        directory = dataDirectory.appendingPathComponent("jobs", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
    }

    func url(_ jobID: String) -> URL { directory.appendingPathComponent("\(jobID).json") }

    public func save(_ job: JournaledJob) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(job)
        let final = url(job.jobID)
        let temporary = directory.appendingPathComponent(".\(job.jobID).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw ClientError.invalidInput("cannot write the client journal in \(directory.path)")
        }
        // fsync before rename: the journal entry must exist before the request leaves.
        if let handle = try? FileHandle(forUpdating: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        if rename(temporary.path, final.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw ClientError.invalidInput("cannot write the client journal entry \(final.path)")
        }
    }

    public func load(_ jobID: String) -> JournaledJob? {
        guard let data = try? Data(contentsOf: url(jobID)) else { return nil }
        return try? JSONDecoder().decode(JournaledJob.self, from: data)
    }

    /// Applies `change` to a stored job and saves it; nil when the job is unknown.
    @discardableResult
    public func update(_ jobID: String, _ change: (inout JournaledJob) -> Void) throws -> JournaledJob? {
        guard var job = load(jobID) else { return nil }
        change(&job)
        try save(job)
        return job
    }

    /// Every job in the journal, oldest first (ties by id, so the order is
    /// stable). Entries that cannot be read are left out.
    public func all() -> [JournaledJob] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { load(String($0.dropLast(5))) }
            .sorted { ($0.createdAt, $0.jobID) < ($1.createdAt, $1.jobID) }
    }

    /// The one journaled job whose id starts with `prefix` (at least 8 hex
    /// characters, as `loom job list` shows 16): nil when none does; an
    /// error naming the candidates when several do.
    public func jobID(startingWith prefix: String) throws(ClientError) -> String? {
        let prefix = prefix.lowercased()
        guard prefix.count >= 8, prefix.count < 64, prefix.allSatisfy(\.isHexDigit) else { return nil }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let matches = files.filter { $0.hasSuffix(".json") && $0.hasPrefix(prefix) }.map { String($0.dropLast(5)) }
        guard matches.count <= 1 else {
            throw .invalidInput(
                "\"\(prefix)\" matches \(matches.count) journaled jobs (\(matches.sorted().map { $0.prefix(20) + "…" }.joined(separator: ", "))): give more of the id"
            )
        }
        return matches.first
    }

    /// Jobs that still hold money in flight, oldest first.
    public func unsettled() -> [JournaledJob] {
        all().filter { $0.stage != .settled }
    }
}
