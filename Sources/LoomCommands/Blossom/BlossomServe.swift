import ArgumentParser
import BlossomServer
import Foundation
import Logging

extension BlossomCommand {
    struct Serve: LoomCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Run a Blossom server (BUD-01/02/06/11/12) until SIGINT or SIGTERM.")
        @Option(help: "Address to bind. Loopback unless you mean to publish it.") var host = "127.0.0.1"
        @Option(help: "Port (0 picks a free one and prints it).") var port = 24242
        @Option(help: "Directory for blobs and the index. Default: $DATA_DIR/blossom, else ~/.loom/blossom.") var dataDir: String?
        @Option(help: "Largest upload accepted, in bytes.") var maxUploadBytes: Int64 = 100 << 20
        @Option(name: .customLong("allow"), help: "Only these uploaders (npub or hex; repeatable). Default: anyone.")
        var allowed: [String] = []
        @Option(help: "The public URL blob links should start with (behind a proxy).") var publicURL: String?

        func run(_ console: Console) async throws {
            let dir = dataDir ?? Defaults.dataDirectory(nil).appendingPathComponent("blossom").path
            let allow = try allowed.isEmpty ? nil : Set(allowed.map { try KeyText.publicKey($0, option: "--allow").hex })
            var base: URL?
            if let publicURL {
                guard let u = URL(string: publicURL), u.scheme != nil else {
                    throw ValidationError("--public-url \(publicURL) is not a URL")
                }
                base = u
            }
            let config = BlossomServerConfiguration(
                host: host, port: port, dataDirectory: dir, maxUploadBytes: maxUploadBytes,
                allowedPubkeys: allow, publicBaseURL: base)
            if host != "127.0.0.1" && host != "::1" && host != "localhost" {
                console.warn("warning: serving on \(host), reachable from other machines")
            }
            try await BlossomServer.run(config, logger: Logger(label: "loom.blossom"))
        }
    }
}
