import ArgumentParser

/// `loom blossom …`: the embedded Blossom server and a client for it and any other.
struct BlossomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blossom",
        abstract: "Blossom blobs: serve them, upload, download, list, delete.",
        subcommands: [Serve.self, Upload.self, Download.self, List.self, Delete.self]
    )
}
