import ArgumentParser

extension BlossomCommand {
    struct List: LoomCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the blobs a key uploaded.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Uploader: npub or hex.") var pubkey: String

        func run(_ console: Console) async throws {
            let pk = try KeyText.publicKey(pubkey, option: "pubkey")
            let list = try await options.client(key: nil).list(pubkey: pk.hex)
            if options.json {
                try console.printJSON(list)
            } else {
                for d in list { console.print("\(d.sha256)  \(d.size)  \(d.type)  \(d.url)") }
            }
        }
    }
}
