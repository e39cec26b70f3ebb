import ArgumentParser

/// `loom worker …`: run the worker, or look at its journal.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the worker beside Ollama, or show its jobs and earnings.",
        subcommands: [Run.self, Status.self, Watch.self, Pause.self, Resume.self]
    )
}
