import ArgumentParser
import Blossom
import BlossomClient
import Foundation
import Secp256k1

extension BlossomCommand {
    /// Servers and output for the client commands.
    struct ServerOptions: ParsableArguments {
        @Option(
            name: .customLong("server"), help: "Blossom server URL (repeatable; tried in order). Default: $BLOSSOM_SERVER_URL.")
        var servers: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func serverURLs() throws -> [URL] {
            let raw = (servers.isEmpty ? Defaults.list("BLOSSOM_SERVER_URL") : servers).filter { !$0.isEmpty }
            let urls = raw.compactMap(URL.init(string:))
            guard !urls.isEmpty, urls.count == raw.count else {
                throw ValidationError("give --server URL (or set BLOSSOM_SERVER_URL)")
            }
            return urls
        }

        func client(key: SecretKey?) throws -> BlossomClient {
            BlossomClient(servers: try serverURLs(), key: key)
        }
    }
}
