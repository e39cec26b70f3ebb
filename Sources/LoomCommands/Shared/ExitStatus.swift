import LoomClient

/// `loom`'s exit codes: one meaning each, in every command (README.md, "Exit
/// codes"). Scripts rely on them; change one only with the README's table.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Done; for a question (`whitelist check`, `nostr verify`), yes.
    case success = 0
    /// Failed, with `error: …` on stderr (a mint, relay, Blossom server or
    /// worker failed or said no); or the answer is no (not on the list, an
    /// invalid event, an audit mismatch, an unpaid melt, a problem found by
    /// `doctor`). `loom job …` and `loom workers` also report their input
    /// problems as 1, as docs/CLIENT.md has always said.
    case failure = 1
    /// Refused: the worker rejected the job (nothing was taken; the payment is
    /// reclaimed), or a `loom whitelist` command could not do what was asked
    /// (list not found, bad key, no relay answered), its 1 being `check`'s "no".
    case refused = 2
    /// The job failed: billed for the time served, the rest returned as change.
    case jobFailed = 3
    /// The job was cancelled.
    case jobCancelled = 4
    /// No final state in time; `loom job watch` resumes.
    case jobTimedOut = 5
    /// Usage: the command line, or a setting or input it names, is missing or
    /// malformed (an unknown option, no key, no relay, no mint, an unreadable
    /// key file, a bad key, a bad `.env` value); nothing was done. sysexits'
    /// EX_USAGE, as ArgumentParser exits on the parse errors it finds itself.
    case usage = 64
}

extension ExitStatus {
    /// How a followed job ended (`job submit`, `job watch`).
    init(_ status: JobOutcome.Status) {
        switch status {
        case .completed: self = .success
        case .rejected: self = .refused
        case .failed: self = .jobFailed
        case .cancelled: self = .jobCancelled
        case .timeout: self = .jobTimedOut
        }
    }
}
