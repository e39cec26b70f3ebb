import Foundation
import Nostr

/// One line of `loom doctor`: what was checked, how it went, and for a
/// problem the fix an operator can apply.
public struct DoctorFinding: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable { case ok, warning, problem }
    public var area: String
    public var subject: String
    public var outcome: Outcome
    public var detail: String
    public var fix: String?

    public init(area: String, subject: String, outcome: Outcome, detail: String, fix: String? = nil) {
        self.area = area
        self.subject = subject
        self.outcome = outcome
        self.detail = detail
        self.fix = fix
    }

    static func ok(_ area: String, _ subject: String, _ detail: String) -> Self {
        Self(area: area, subject: subject, outcome: .ok, detail: detail)
    }
    static func warning(_ area: String, _ subject: String, _ detail: String, fix: String? = nil) -> Self {
        Self(area: area, subject: subject, outcome: .warning, detail: detail, fix: fix)
    }
    static func problem(_ area: String, _ subject: String, _ detail: String, fix: String) -> Self {
        Self(area: area, subject: subject, outcome: .problem, detail: detail, fix: fix)
    }
}

/// Checks a worker's configuration end to end, the way the worker will use
/// it: each relay must take an event, each mint must have an active sat
/// keyset, each Blossom server must allow our upload, the backend must
/// answer with models, and every followed list must be found. Checks of one
/// kind run one after another so the report reads in a stable order; the
/// whole run is bounded by each check's own timeout.
public struct Doctor: Sendable {
    public let values: [String: String]
    /// Warnings found while reading the settings (`DotEnv.merged`), reported first.
    public let warnings: [String]
    public var timeout: Duration

    public init(values: [String: String], warnings: [String] = [], timeout: Duration = .seconds(10)) {
        self.values = values
        self.warnings = warnings
        self.timeout = timeout
    }

    public func run() async -> [DoctorFinding] {
        let configuration: WorkerConfiguration
        var findings = warnings.map { DoctorFinding.warning("config", ".env", $0) }
        do {
            let (loaded, warnings) = try WorkerConfiguration.load(values)
            configuration = loaded
            findings.append(.ok("config", "settings", "every key reads correctly"))
            findings += warnings.map { .warning("config", "settings", $0) }
        } catch {
            // Nothing else can be checked without a configuration.
            return findings + [.problem("config", error.key, error.problem, fix: error.fix)]
        }
        findings.append(checkDataDirectory(configuration.dataDirectory))
        if let waiting = checkWaitingJobs(configuration.dataDirectory) { findings.append(waiting) }
        findings += await checkServing(configuration)
        findings += await checkRelays(configuration)
        findings += await checkMints(configuration)
        findings += await checkBlossom(configuration)
        findings += await checkBackend(configuration)
        findings += await checkWhitelist(configuration)
        return findings
    }

    func checkDataDirectory(_ url: URL) -> DoctorFinding {
        let fm = FileManager.default
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            return .problem(
                "data", url.path, "cannot create it: \(error.localizedDescription)",
                fix: "set DATA_DIR to a folder this user can write")
        }
        guard fm.isWritableFile(atPath: url.path) else {
            return .problem("data", url.path, "not writable", fix: "set DATA_DIR to a folder this user can write")
        }
        return .ok("data", url.path, "writable")
    }

    /// Jobs the journal says are waiting on a mint (payment unconfirmed,
    /// change not made): money in flight the operator should know about.
    func checkWaitingJobs(_ url: URL) -> DoctorFinding? {
        let path = url.appendingPathComponent("jobs.sqlite").path
        guard FileManager.default.fileExists(atPath: path), let journal = try? JobJournal(path: path),
            let waiting = try? journal.waiting(), let oldest = waiting.first
        else { return nil }
        let minutes = max(0, Event.now() - oldest.receivedAt) / 60
        return .warning(
            "jobs", "\(waiting.count) waiting on the mint",
            "the oldest (\(oldest.id.prefix(16)), \(oldest.state.rawValue)) arrived \(minutes) min ago; the worker retries with backoff while it runs",
            fix: "check the mint (see the mint findings); `loom worker status` lists them")
    }
}
