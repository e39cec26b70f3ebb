import ArgumentParser

/// `loom job …`: submit, watch, cancel, list and batch paid jobs.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit, watch, cancel, list and batch jobs.",
        subcommands: [Submit.self, Watch.self, Cancel.self, List.self, Batch.self])

    /// The exit codes of `submit` and `watch`, one per ending (`ExitStatus`).
    static let exitCodesHelp = """
        Exit codes: 0 completed, 2 rejected (nothing taken; the payment is reclaimed), \
        3 failed (billed for time served, rest returned as change), 4 cancelled, \
        5 timeout (no final state in time; `loom job watch` resumes), 1 any other error.
        """
}
