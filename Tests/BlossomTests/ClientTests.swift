import Blossom
import BlossomClient
import BlossomServer
import Foundation
import Hummingbird
import LoomTestFixtures
import NIOCore
import Nostr
import Secp256k1
import Testing

/// Counts requests, for asserting how often the client retried.
actor HitCounter {
    private(set) var hits = 0
    func hit() { hits += 1 }
}

/// A loopback port with nothing listening: bind port 0, note it, close it.
func deadServerURL() async throws -> URL {
    let channel = try await ServerBootstrapHelper.bindAndClose()
    return URL(string: "http://127.0.0.1:\(channel)")!
}

enum ServerBootstrapHelper {
    static func bindAndClose() async throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A tiny Hummingbird app that answers every request with `status`.
@discardableResult
func withFakeServer<T: Sendable>(
    status: HTTPResponse.Status, counter: HitCounter, _ body: (URL) async throws -> T
) async throws -> T {
    let router = Router()
    router.on("{*}", method: .get) { _, _ -> Response in
        await counter.hit()
        return Response(status: status, headers: [.init("X-Reason")!: "fake says \(status.code)"])
    }
    router.on("{*}", method: .head) { _, _ -> Response in
        await counter.hit()
        return Response(status: status, headers: [.init("X-Reason")!: "fake says \(status.code)"])
    }
    return try await withApplication({ sink in
        Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await sink($0.localAddress?.port ?? 0) }, logger: quietLogger)
    }) { port in try await body(URL(string: "http://127.0.0.1:\(port)")!) }
}

@Suite struct ClientTests {
    @Test func fallsBackWhenFirstServerIsDown() async throws {
        let dead = try await deadServerURL()
        try await withBlossomServer { live in
            let client = quickClient([dead, live.url])
            let data = Data("fallback".utf8)
            let d = try await client.upload(data)
            #expect(d.url.hasPrefix(live.url.absoluteString))
            #expect(try await client.download(d.sha256) == data)
            #expect(try await client.head(d.sha256)?.server == live.url)
        }
    }

    @Test func allServersDownReportsEach() async throws {
        let dead1 = try await deadServerURL()
        let dead2 = try await deadServerURL()
        do {
            _ = try await quickClient([dead1, dead2]).upload(Data("x".utf8))
            Issue.record("upload to dead servers succeeded")
        } catch let BlossomError.allServersFailed(errors) {
            #expect(errors.count == 2)
            let allTransient = errors.allSatisfy { $0.isTransient }
            #expect(allTransient)
        }
    }

    @Test func detectsTamperedBlobAndUsesNextServer() async throws {
        try await withBlossomServer { bad in
            try await withBlossomServer { good in
                let data = Data("the true bytes".utf8)
                let client = quickClient([bad.url, good.url])
                let d = try await quickClient([bad.url]).upload(data)
                _ = try await quickClient([good.url]).upload(data)
                // Same length, different bytes: only the hash can tell.
                try Data("the TRUE bytes".utf8).write(to: URL(fileURLWithPath: bad.blobPath(d.sha256)))

                do {
                    _ = try await quickClient([bad.url]).download(d.sha256)
                    Issue.record("a tampered blob was accepted")
                } catch let BlossomError.hashMismatch(_, expected, actual) {
                    #expect(expected == d.sha256)
                    #expect(actual == BlobHash.of(Data("the TRUE bytes".utf8)))
                }
                #expect(try await client.download(d.sha256) == data)

                // Streaming to a file: the tampered copy never reaches the target path.
                let dir = temporaryDirectory("blossom").path
                defer { try? FileManager.default.removeItem(atPath: dir) }
                await #expect(throws: BlossomError.self) {
                    try await quickClient([bad.url]).download(d.sha256, to: dir + "/out")
                }
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
                try await client.download(d.sha256, to: dir + "/out")
                #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out")) == data)
            }
        }
    }

    @Test func retriesServerErrorsWithBackoff() async throws {
        let counter = HitCounter()
        try await withFakeServer(status: .serviceUnavailable, counter: counter) { url in
            do {
                _ = try await quickClient([url], attempts: 3).download(String(repeating: "b", count: 64))
                Issue.record("a 503 server returned a blob")
            } catch let error as BlossomError {
                #expect(error == .status(server: url.absoluteString, code: 503, reason: "fake says 503"))
            }
        }
        #expect(await counter.hits == 3)
    }

    @Test func doesNotRetryClientErrors() async throws {
        let counter = HitCounter()
        try await withFakeServer(status: .forbidden, counter: counter) { url in
            await #expect(throws: BlossomError.status(server: url.absoluteString, code: 403, reason: "fake says 403")) {
                _ = try await quickClient([url], attempts: 3).download(String(repeating: "c", count: 64))
            }
        }
        #expect(await counter.hits == 1)
    }

    @Test func operationsNeedingAKeyRefuseWithoutOne() async throws {
        let client = BlossomClient(servers: [URL(string: "http://127.0.0.1:9")!])
        await #expect(throws: BlossomError.noKey) { _ = try await client.upload(Data("x".utf8)) }
    }
}
