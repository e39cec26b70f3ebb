import ArgumentParser

extension BlossomCommand {
    struct Download: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "download", abstract: "Download a blob by its sha256, verified, to a file (or stdout).")
        @OptionGroup var options: ServerOptions
        @Argument(help: "The blob's sha256 (hex).") var sha256: String
        @Option(name: .shortAndLong, help: "Write here; stdout when omitted.") var output: String?

        func run(_ console: Console) async throws {
            let client = try options.client(key: nil)
            if let output {
                let info = try await client.download(sha256, to: output)
                if options.json {
                    struct Out: Encodable { let sha256: String; let path: String; let server: String; let size: Int64? }
                    try console.printJSON(Out(sha256: sha256, path: output, server: info.server.absoluteString, size: info.size))
                }
            } else {
                console.write(try await client.download(sha256))
            }
        }
    }
}
