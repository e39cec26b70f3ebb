import ArgumentParser

extension BlossomCommand {
    struct Upload: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "upload", abstract: "Upload a file; print its blob descriptor.")
        @OptionGroup var options: ServerOptions
        @OptionGroup var key: KeyOptions
        @Argument(help: "The file.") var file: String
        @Option(help: "Content type; guessed from the file name when omitted.") var type: String?

        func run(_ console: Console) async throws {
            let d = try await options.client(key: try key.secretKey(console)).upload(file: file, type: type)
            if options.json { try console.printJSON(d) } else { console.print(d.url) }
        }
    }
}
