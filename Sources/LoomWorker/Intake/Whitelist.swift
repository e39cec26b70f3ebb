import Foundation
import Logging
import NIOConcurrencyHelpers
import Nostr
import Secp256k1

/// The worker's whitelist: the keys in the whitelist file plus the members of
/// every NIP-51 list it follows (named in the file or in `WHITELIST`).
///
/// `allows` is asked for every incoming request before its signature is
/// checked, so it reads an immutable snapshot under a lock: one hash lookup,
/// no actor hop, no suspension. All changes (file reloads, new list versions)
/// build a new snapshot and swap it in. `run(pool:)` keeps it current.
public final class Whitelist: AccessPolicy, Sendable {
    /// One version of a followed list, the newest seen so far.
    struct ListVersion: Sendable {
        let createdAt: Int64
        let eventID: String
        let pubkeys: Set<String>

        /// NIP-01: the newest `created_at` wins; on a tie, the lowest id.
        func isOlder(thanCreatedAt other: Int64, id: String) -> Bool {
            createdAt < other || (createdAt == other && id < eventID)
        }
    }

    struct FileStamp: Equatable, Sendable {
        let modified: Date?
        let size: Int?
        let inode: Int?
        /// A chmod that makes an unreadable file readable changes no time or size.
        let mode: Int?
    }

    let fileURL: URL?
    let workerKey: SecretKey
    let configuredLists: [ListAddress]
    let logger: Logger
    let addressChanges: AsyncStream<Void>
    private let addressChangesSink: AsyncStream<Void>.Continuation

    /// `snapshot` is what `allows` reads; the rest is what it is built from.
    private struct State {
        var snapshot: Set<String> = []
        var file = WhitelistFile()
        var fileStamp: FileStamp?
        var versions: [ListAddress: ListVersion] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// `lists` are naddr strings (checked by `WorkerConfiguration.load`; any
    /// that do not decode are logged and skipped). The file is read at once.
    public init(file: URL?, lists: [String] = [], workerKey: SecretKey, logger: Logger = Logger(label: "loom.whitelist")) {
        var addresses: [ListAddress] = []
        for text in lists {
            do { addresses.append(try ListAddress(naddr: text)) } catch {
                logger.warning("WHITELIST entry skipped: not a list address", metadata: ["reason": "\(error)"])
            }
        }
        self.fileURL = file
        self.workerKey = workerKey
        self.configuredLists = addresses
        self.logger = logger
        (addressChanges, addressChangesSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        reloadFileIfChanged()
    }

    public convenience init(configuration: WorkerConfiguration, logger: Logger = Logger(label: "loom.whitelist")) {
        self.init(
            file: configuration.whitelistFile, lists: configuration.whitelistLists,
            workerKey: configuration.secretKey, logger: logger)
    }

    deinit { addressChangesSink.finish() }

    public func allows(_ pubkey: String) -> Bool {
        state.withLockedValue { $0.snapshot.contains(pubkey) }
    }

    /// Every key allowed right now, as lowercase hex.
    public var pubkeys: Set<String> { state.withLockedValue { $0.snapshot } }

    /// Lines of the whitelist file that were skipped at the last reading.
    public var problems: [WhitelistFile.Problem] { state.withLockedValue { $0.file.problems } }

    /// The lists followed: `WHITELIST` first, then those named in the file.
    public var addresses: [ListAddress] {
        state.withLockedValue { Self.union(configuredLists, $0.file.lists) }
    }

    private static func union(_ a: [ListAddress], _ b: [ListAddress]) -> [ListAddress] {
        var seen = Set<ListAddress>()
        return (a + b).filter { seen.insert($0).inserted }
    }

    // MARK: the file

    /// Re-reads the file when its modification time, size or inode differ
    /// from the last reading. Returns true when it was read.
    @discardableResult
    public func reloadFileIfChanged() -> Bool {
        guard let fileURL else { return false }
        let attributes = try? FileManager.default.attributesOfItem(atPath: fileURL.path)
        let stamp = FileStamp(
            modified: attributes?[.modificationDate] as? Date,
            size: (attributes?[.size] as? NSNumber)?.intValue,
            inode: (attributes?[.systemFileNumber] as? NSNumber)?.intValue,
            mode: (attributes?[.posixPermissions] as? NSNumber)?.intValue)
        guard state.withLockedValue({ $0.fileStamp != stamp }) else { return false }
        let parsed: WhitelistFile
        if attributes == nil {
            logger.warning("whitelist file not found; only followed lists apply", metadata: ["path": "\(fileURL.path)"])
            parsed = WhitelistFile()
        } else if let text = try? String(contentsOf: fileURL, encoding: .utf8) {
            parsed = WhitelistFile.parse(text)
        } else {
            // Keep the previous reading: an unreadable file (being replaced, bad
            // permissions) must not empty the whitelist under running clients.
            // Said once per change of the file, not at every poll.
            logger.error("whitelist file cannot be read; keeping the previous entries", metadata: ["path": "\(fileURL.path)"])
            state.withLockedValue { $0.fileStamp = stamp }
            return false
        }
        for problem in parsed.problems {
            logger.warning(
                "whitelist file: line skipped",
                metadata: [
                    "path": "\(fileURL.path)", "line": "\(problem.line)", "reason": "\(problem.reason)",
                ])
        }
        let listsChanged = state.withLockedValue {
            let before = Set($0.file.lists)
            $0.file = parsed
            $0.fileStamp = stamp
            rebuild(&$0)
            return before != Set(parsed.lists)
        }
        logger.info(
            "whitelist file read",
            metadata: [
                "path": "\(fileURL.path)", "keys": "\(parsed.pubkeys.count)", "lists": "\(parsed.lists.count)",
                "skipped_lines": "\(parsed.problems.count)",
            ])
        if listsChanged { addressChangesSink.yield() }
        return true
    }

    // MARK: lists

    /// Takes a list event from a relay if it is a version of a followed list
    /// that is newer than the one held. Returns true when it replaced it.
    /// Private entries are read only from the worker's own lists: NIP-51
    /// encrypts them from the author to the author.
    @discardableResult
    public func apply(_ event: Event) -> Bool {
        guard let address = addresses.first(where: { $0.matches(event) }) else { return false }
        if let held = state.withLockedValue({ $0.versions[address] }), !held.isOlder(thanCreatedAt: event.createdAt, id: event.id)
        {
            return false
        }
        let ownList = address.author == workerKey.xOnlyPublicKey
        let list: NIP51List
        do {
            list = try NIP51List.parse(event, decryptingWith: ownList ? workerKey : nil)
        } catch .invalidEvent(let error) {
            logger.warning("list event with a bad signature ignored", metadata: ["list": "\(address)", "reason": "\(error)"])
            return false
        } catch {
            logger.warning(
                "private entries of the worker's own list unreadable; using its public entries",
                metadata: ["list": "\(address)", "reason": "\(error)"])
            guard let publicOnly = try? NIP51List.parse(event) else { return false }
            list = publicOnly
        }
        let version = ListVersion(createdAt: event.createdAt, eventID: event.id, pubkeys: Set(list.pubkeys.map(\.hex)))
        let replaced = state.withLockedValue { state -> Bool in
            // Checked again: another relay may have delivered a newer one meanwhile.
            if let held = state.versions[address], !held.isOlder(thanCreatedAt: event.createdAt, id: event.id) { return false }
            state.versions[address] = version
            rebuild(&state)
            return true
        }
        if replaced {
            logger.info(
                "whitelist list updated",
                metadata: [
                    "list": "\(address)", "created_at": "\(event.createdAt)", "keys": "\(version.pubkeys.count)",
                ])
        }
        return replaced
    }

    /// Builds the snapshot from the file and the lists still followed (under the lock).
    private func rebuild(_ state: inout State) {
        let followed = Set(Self.union(configuredLists, state.file.lists))
        state.versions = state.versions.filter { followed.contains($0.key) }
        state.snapshot = state.versions.values.reduce(into: state.file.pubkeys) { $0.formUnion($1.pubkeys) }
    }
}

extension OpenAccess {
    /// The policy for `WHITELIST_ENABLED=false`, announced loudly: an open
    /// worker takes jobs (and ecash) from anyone, which should never be a surprise.
    public static func announced(logger: Logger) -> OpenAccess {
        logger.warning("whitelist disabled (WHITELIST_ENABLED=false): this worker accepts jobs from everyone on Nostr")
        return OpenAccess()
    }
}
