import ArgumentParser

extension BlossomCommand {
    struct Delete: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a blob you uploaded, from every given server.")
        @OptionGroup var options: ServerOptions
        @OptionGroup var key: KeyOptions
        @Argument(help: "The blob's sha256 (hex).") var sha256: String

        func run(_ console: Console) async throws {
            let client = try options.client(key: try key.secretKey(console))
            let results = await client.deleteEverywhere(sha256)
            var failed = false
            for r in results {
                if let e = r.error { failed = true; console.warn("\(r.server): \(e)") }
            }
            if options.json {
                struct Out: Encodable { let sha256: String; let deleted: [String]; let failed: [String] }
                try console.printJSON(
                    Out(
                        sha256: sha256, deleted: results.filter { $0.error == nil }.map(\.server.absoluteString),
                        failed: results.filter { $0.error != nil }.map(\.server.absoluteString)))
            }
            if failed { throw CLIError.exit(.failure) }
        }
    }
}
