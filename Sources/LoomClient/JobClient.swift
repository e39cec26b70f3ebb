import AddressSafety
import CashuWallet
import Foundation
import Logging
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// Client side of the Loom protocol: find workers, submit paid jobs, follow
/// and cancel them, redeem change. See docs/PROTOCOL.md.
///
/// One client key signs requests and cancels and opens results; one wallet
/// pays and takes the change back; the journal remembers every job that has
/// money in flight.
public final class JobClient: Sendable {
    public static let protocolVersion = WireVersion.current
    /// How old the mint's keysets (and so its fee) may be when a payment is priced.
    public static let keysetMaxAge: Duration = .seconds(60)

    public let key: SecretKey
    public let pool: RelayPool
    public let journal: ClientJournal
    /// Pays from here and redeems change and reclaimed payments into it. Open
    /// it with `lockKey: key` so change locked to the client (`lock_change`) can be redeemed.
    public let wallet: Wallet?
    /// Which worker-chosen URLs (its relays, Blossom servers, output URLs) may
    /// be dialled: public addresses, and the hosts the user configured.
    public let dialCheck: DialCheck
    /// How much of a result's outputs is fetched, and for how long.
    public let outputLimits: OutputLimits
    /// Tokens locked ahead to workers that admit early (`loom gateway`); nil: none.
    public let reserve: LockedReserve?
    let logger: Logger

    /// `dialCheck` defaults to `defaultDialCheck`: local addresses only on the
    /// hosts of our own relays and mint, and those of `$LOOM_ALLOW_HOSTS`.
    public init(
        key: SecretKey, pool: RelayPool, journal: ClientJournal, wallet: Wallet?, dialCheck: DialCheck? = nil,
        outputLimits: OutputLimits = OutputLimits(), reserve: LockedReserve? = nil,
        logger: Logger = Logger(label: "loom.client")
    ) {
        self.key = key
        self.pool = pool
        self.journal = journal
        self.wallet = wallet
        self.dialCheck = dialCheck ?? Self.defaultDialCheck(relays: pool.urls, mint: wallet?.mint.url)
        self.outputLimits = outputLimits
        self.reserve = reserve
        self.logger = logger
    }

    /// The hosts the user chose: their relays, their mint, and `$LOOM_ALLOW_HOSTS`
    /// (comma-separated hosts, for a worker's Blossom server on the user's own network).
    public static func defaultDialCheck(
        relays: [String], mint: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DialCheck {
        let extra = (environment["LOOM_ALLOW_HOSTS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        return DialCheck(allowedHosts: DialCheck.hosts(of: relays + [mint].compactMap { $0 }).union(extra))
    }

    /// `urls` the worker chose, less those `dialCheck` refuses (logged).
    func dialable(_ urls: [String], schemes: Set<String>) async -> [String] {
        var out: [String] = []
        for url in urls {
            if let why = await dialCheck.refusal(url, schemes: schemes) {
                logger.notice("not dialling a worker's URL", metadata: ["url": "\(url.prefix(200))", "reason": "\(why)"])
                continue
            }
            out.append(url)
        }
        return out
    }

    public var directory: WorkerDirectory { WorkerDirectory(pool: pool) }

    /// The client's public key, hex.
    public var pubkey: String { key.xOnlyPublicKey.hex }

    /// The job as an `nevent` with the relays it went to and the client as author.
    public func nevent(_ jobID: String, relays: [String]? = nil) -> String {
        guard let id = try? Hex.decode(jobID) else { return jobID }
        return
            (try? NIP19Entity.nevent(
                id: id, relays: Array((relays ?? pool.urls).prefix(3)), author: key.xOnlyPublicKey,
                kind: LoomKind.jobRequest.rawValue
            ).encode()) ?? jobID
    }

    /// A job id from 64 hex characters, a `note` or an `nevent`.
    public static func jobID(from text: String, journal: ClientJournal? = nil) throws(ClientError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, (try? Hex.decode(trimmed)) != nil { return trimmed.lowercased() }
        // A short id, as `loom job list` prints it, names a job of our own journal.
        if let journal, let id = try journal.jobID(startingWith: trimmed) { return id }
        switch try? NIP19Entity.decode(trimmed) {
        case .nevent(let id, _, _, _)?, .note(let id)?: return Hex.encode(id)
        default:
            throw .invalidInput(
                "\"\(trimmed.prefix(80))\" is not a job id: give 64 hex characters, a note1…, an nevent1…, or the start of a journaled job's id (8 or more hex characters)"
            )
        }
    }

    /// The worker and journal entry of a job: from the journal, else from the
    /// request event found on the relays (its `p` tag).
    public func locate(
        _ jobID: String, timeout: Duration = .seconds(10)
    ) async throws(ClientError) -> (worker: String, request: Event, journaled: JournaledJob?) {
        if let job = journal.load(jobID) { return (job.worker, job.request, job) }
        let events = try await StoredEvents.fetch(
            [Filter(ids: [jobID], kinds: [LoomKind.jobRequest.rawValue])],
            from: pool, timeout: timeout)
        guard let request = events.first(where: { $0.id == jobID && $0.isValid }),
            let worker = request.tagValues(LoomTag.pubkey).first
        else { throw .unknownJob(jobID) }
        return (worker, request, nil)
    }

    /// Closes the relay connections.
    public func close() async { await pool.close() }
}
