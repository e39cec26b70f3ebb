import AsyncHTTPClient
import Blossom
import BlossomClient
import BlossomServer
import Foundation
import LoomTestFixtures
import Nostr
import Secp256k1
import Testing

/// The client against the real server over a loopback socket.
@Suite struct RoundTripTests {
    @Test func uploadDownloadListDelete() async throws {
        try await withBlossomServer { server in
            let key = SecretKey.generate()
            let client = quickClient([server.url], key: key)
            let data = Data("hello blossom, from a loom worker\n".utf8)
            let sha = BlobHash.of(data)

            let descriptor = try await client.upload(data, type: "text/plain")
            #expect(descriptor.sha256 == sha)
            #expect(descriptor.size == Int64(data.count))
            #expect(descriptor.type == "text/plain")
            #expect(descriptor.url == "\(server.url.absoluteString)/\(sha).txt")
            #expect(abs(descriptor.uploaded - Event.now()) < 10)

            #expect(try await client.download(sha) == data)
            // The descriptor URL (with its extension) works as a preferred source.
            #expect(try await client.download(sha, preferredURL: URL(string: descriptor.url)!) == data)

            let info = try #require(try await client.head(sha))
            #expect(info.size == Int64(data.count))
            #expect(info.type == "text/plain")
            #expect(try await client.exists(sha))

            // Uploading the same bytes again answers 200 with the same descriptor.
            let again = try await raw(
                .PUT, server.url.absoluteString + "/upload",
                headers: [("Authorization", try uploadToken(for: data, key: key)), ("Content-Type", "text/plain")],
                body: data)
            #expect(again.status == 200)
            #expect(try JSONDecoder().decode(BlobDescriptor.self, from: again.body).sha256 == sha)

            let listed = try await client.list(pubkey: key.xOnlyPublicKey.hex)
            #expect(listed.map(\.sha256) == [sha])
            #expect(try await client.list(pubkey: SecretKey.generate().xOnlyPublicKey.hex).isEmpty)

            try await client.delete(sha, on: server.url)
            #expect(try await client.head(sha) == nil)
            #expect(server.storedFiles().isEmpty)
        }
    }

    @Test func largeFileStreamsBothWays() async throws {
        try await withBlossomServer { server in
            let client = quickClient([server.url])
            let dir = temporaryDirectory("blossom").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let data = randomData(3 << 20 + 17)
            let source = dir + "/output.bin"
            try data.write(to: URL(fileURLWithPath: source))

            let descriptor = try await client.upload(file: source)
            #expect(descriptor.sha256 == BlobHash.of(data))
            #expect(descriptor.type == "application/octet-stream")
            #expect(descriptor.url.hasSuffix(".bin"))

            let target = dir + "/copy.bin"
            let info = try await client.download(descriptor.sha256, to: target)
            #expect(info.size == Int64(data.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == data)
            // No partial files left beside the target.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["copy.bin", "output.bin"])
        }
    }

    @Test func rangeRequests() async throws {
        try await withBlossomServer { server in
            let client = quickClient([server.url])
            let data = Data("0123456789".utf8)
            let d = try await client.upload(data, type: "text/plain")
            let url = server.url.absoluteString + "/" + d.sha256 + ".txt"

            let middle = try await raw(.GET, url, headers: [("Range", "bytes=2-5")])
            #expect(middle.status == 206)
            #expect(String(decoding: middle.body, as: UTF8.self) == "2345")
            #expect(middle.headers.first(name: "Content-Range") == "bytes 2-5/10")
            #expect(middle.headers.first(name: "Content-Length") == "4")

            let suffix = try await raw(.GET, url, headers: [("Range", "bytes=-3")])
            #expect(suffix.status == 206)
            #expect(String(decoding: suffix.body, as: UTF8.self) == "789")

            let open = try await raw(.GET, url, headers: [("Range", "bytes=7-")])
            #expect(String(decoding: open.body, as: UTF8.self) == "789")

            let beyond = try await raw(.GET, url, headers: [("Range", "bytes=10-20")])
            #expect(beyond.status == 416)
            #expect(beyond.headers.first(name: "Content-Range") == "bytes */10")

            let whole = try await raw(.GET, url)
            #expect(whole.status == 200)
            #expect(whole.headers.first(name: "Accept-Ranges") == "bytes")
            #expect(whole.headers.first(name: "Content-Type") == "text/plain")
            #expect(whole.body == data)

            let head = try await raw(.HEAD, url)
            #expect(head.status == 200)
            #expect(head.headers.first(name: "Content-Length") == "10")
            #expect(head.body.isEmpty)
        }
    }

    @Test func listPagesNewestFirst() async throws {
        try await withBlossomServer { server in
            let key = SecretKey.generate()
            let client = quickClient([server.url], key: key)
            var hashes: [String] = []
            for i in 0..<3 { hashes.append(try await client.upload(Data("blob \(i)".utf8)).sha256) }
            let pubkey = key.xOnlyPublicKey.hex
            let all = try await client.list(pubkey: pubkey)
            #expect(Set(all.map(\.sha256)) == Set(hashes))
            let first = try await client.list(pubkey: pubkey, limit: 2)
            #expect(first.count == 2)
            let rest = try await client.list(pubkey: pubkey, cursor: first.last!.sha256, limit: 2)
            #expect(first.map(\.sha256) + rest.map(\.sha256) == all.map(\.sha256))
            #expect(try await client.list(pubkey: pubkey, since: Event.now() + 100).isEmpty)
        }
    }

    @Test func corsHeaders() async throws {
        try await withBlossomServer { server in
            let preflight = try await raw(.OPTIONS, server.url.absoluteString + "/upload")
            #expect(preflight.status < 300)
            #expect(preflight.headers.first(name: "Access-Control-Allow-Origin") == "*")
            #expect(preflight.headers.first(name: "Access-Control-Allow-Headers") == "Authorization, *")
            #expect(preflight.headers.first(name: "Access-Control-Allow-Methods") == "GET, HEAD, PUT, DELETE")
            let missing = try await raw(.GET, server.url.absoluteString + "/" + String(repeating: "a", count: 64))
            #expect(missing.status == 404)
            #expect(missing.headers.first(name: "Access-Control-Allow-Origin") == "*")
            #expect(!missing.reason.isEmpty)
        }
    }
}
