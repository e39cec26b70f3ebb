import ArgumentParser
import Blossom
import BlossomServer
import Foundation
import Logging
import Nostr
import Secp256k1

/// `loom blossom …`: the embedded Blossom server and a client for it and any other.
struct BlossomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blossom",
        abstract: "Blossom blobs: serve them, upload, download, list, delete.",
        subcommands: [BlossomServe.self, BlossomUpload.self, BlossomDownload.self, BlossomList.self, BlossomDelete.self]
    )
}

struct BlossomServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run a Blossom server (BUD-01/02/06/11/12) until SIGINT or SIGTERM.")
    @Option(help: "Address to bind. Loopback unless you mean to publish it.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one and prints it).") var port = 24242
    @Option(help: "Directory for blobs and the index. Default: $DATA_DIR/blossom, else ~/.loom/blossom.") var dataDir: String?
    @Option(help: "Largest upload accepted, in bytes.") var maxUploadBytes: Int64 = 100 << 20
    @Option(name: .customLong("allow"), help: "Only these uploaders (npub or hex; repeatable). Default: anyone.") var allowed: [String] = []
    @Option(help: "The public URL blob links should start with (behind a proxy).") var publicURL: String?

    func run() async throws {
        let dir = dataDir ?? (ProcessInfo.processInfo.environment["DATA_DIR"].map { $0 + "/blossom" }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".loom/blossom").path)
        let allow = try allowed.isEmpty ? nil : Set(allowed.map { try parsePublicKey($0, option: "--allow").hex })
        var base: URL?
        if let publicURL {
            guard let u = URL(string: publicURL), u.scheme != nil else { throw ValidationError("--public-url \(publicURL) is not a URL") }
            base = u
        }
        let config = BlossomServerConfiguration(host: host, port: port, dataDirectory: dir, maxUploadBytes: maxUploadBytes,
                                                allowedPubkeys: allow, publicBaseURL: base)
        if host != "127.0.0.1" && host != "::1" && host != "localhost" {
            Console.warn("warning: serving on \(host), reachable from other machines")
        }
        try await BlossomServer.run(config, logger: Logger(label: "loom.blossom"))
    }
}

/// Servers and key for the client commands.
struct BlossomClientOptions: ParsableArguments {
    @Option(name: .customLong("server"), help: "Blossom server URL (repeatable; tried in order). Default: $BLOSSOM_SERVER_URL.")
    var servers: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func serverURLs() throws -> [URL] {
        let raw = servers.isEmpty
            ? (ProcessInfo.processInfo.environment["BLOSSOM_SERVER_URL"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            : servers
        let urls = raw.filter { !$0.isEmpty }.compactMap(URL.init(string:))
        guard !urls.isEmpty, urls.count == raw.filter({ !$0.isEmpty }).count else {
            throw ValidationError("give --server URL (or set BLOSSOM_SERVER_URL)")
        }
        return urls
    }

    func client(key: SecretKey?) throws -> BlossomClient {
        BlossomClient(servers: try serverURLs(), key: key)
    }
}

struct BlossomUpload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upload", abstract: "Upload a file; print its blob descriptor.")
    @OptionGroup var options: BlossomClientOptions
    @OptionGroup var key: KeyOptions
    @Argument(help: "The file.") var file: String
    @Option(help: "Content type; guessed from the file name when omitted.") var type: String?

    func run() async throws {
        let d = try await blossomCall { try await options.client(key: try key.secretKey()).upload(file: file, type: type) }
        print(options.json ? try JSONOutput.string(d) : d.url)
    }
}

struct BlossomDownload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download a blob by its sha256, verified, to a file (or stdout).")
    @OptionGroup var options: BlossomClientOptions
    @Argument(help: "The blob's sha256 (hex).") var sha256: String
    @Option(name: .shortAndLong, help: "Write here; stdout when omitted.") var output: String?

    func run() async throws {
        let client = try options.client(key: nil)
        if let output {
            let info = try await blossomCall { try await client.download(sha256, to: output) }
            if options.json {
                struct Out: Encodable { let sha256: String; let path: String; let server: String; let size: Int64? }
                print(try JSONOutput.string(Out(sha256: sha256, path: output, server: info.server.absoluteString, size: info.size)))
            }
        } else {
            let data = try await blossomCall { try await client.download(sha256) }
            FileHandle.standardOutput.write(data)
        }
    }
}

struct BlossomList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the blobs a key uploaded.")
    @OptionGroup var options: BlossomClientOptions
    @Argument(help: "Uploader: npub or hex.") var pubkey: String

    func run() async throws {
        let pk = try parsePublicKey(pubkey, option: "pubkey")
        let list = try await blossomCall { try await options.client(key: nil).list(pubkey: pk.hex) }
        if options.json {
            print(try JSONOutput.string(list))
        } else {
            for d in list { print("\(d.sha256)  \(d.size)  \(d.type ?? "-")  \(d.url)") }
        }
    }
}

struct BlossomDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a blob you uploaded, from every given server.")
    @OptionGroup var options: BlossomClientOptions
    @OptionGroup var key: KeyOptions
    @Argument(help: "The blob's sha256 (hex).") var sha256: String

    func run() async throws {
        let client = try options.client(key: try key.secretKey())
        let results = await client.deleteEverywhere(sha256)
        var failed = false
        for r in results {
            if let e = r.error { failed = true; Console.warn("\(r.server): \(e)") }
        }
        if options.json {
            struct Out: Encodable { let sha256: String; let deleted: [String]; let failed: [String] }
            print(try JSONOutput.string(Out(sha256: sha256, deleted: results.filter { $0.error == nil }.map(\.server.absoluteString),
                                            failed: results.filter { $0.error != nil }.map(\.server.absoluteString))))
        }
        if failed { throw ExitCode(1) }
    }
}

/// A Blossom failure as one clear line on stderr and exit code 1.
func blossomCall<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as BlossomError {
        Console.warn("error: \(e)")
        throw ExitCode(1)
    }
}
