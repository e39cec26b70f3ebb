import ArgumentParser

/// A command that does something (every subcommand but the groups). It runs
/// against a `Console` instead of the process's own streams, so that
/// `Loom.run` can hand it buffers when a test runs it in process.
protocol LoomCommand: AsyncParsableCommand {
    func run(_ console: Console) async throws
}

extension LoomCommand {
    /// ArgumentParser's entry point, kept for `Loom.main()`; the `loom`
    /// executable goes through `Loom.run`, which calls `run(_:)` itself.
    mutating func run() async throws { try await run(.standard) }
}
