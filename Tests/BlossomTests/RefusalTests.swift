import AsyncHTTPClient
import Blossom
import BlossomClient
import BlossomServer
import Foundation
import LoomTestFixtures
import NIOCore
import Nostr
import Secp256k1
import Testing

/// Every refusal gets its own status and `X-Reason`, and a refused upload
/// leaves nothing on disk.
@Suite struct RefusalTests {
    let data = Data("the job output that someone tries to store".utf8)
    let key = SecretKey.generate()

    /// PUT /upload with `auth` and checks the refusal and the empty store.
    func expectRefusedUpload(
        _ server: RunningServer, auth: String?, body: Data? = nil, extraHeaders: [(String, String)] = [],
        status: Int, reasonContains: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var headers = extraHeaders
        if let auth { headers.append(("Authorization", auth)) }
        let r = try await raw(.PUT, server.url.absoluteString + "/upload", headers: headers, body: body ?? data)
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r.reason.contains(reasonContains), "X-Reason was '\(r.reason)'", sourceLocation: sourceLocation)
        #expect(r.headers.first(name: "Access-Control-Allow-Origin") == "*", sourceLocation: sourceLocation)
        #expect(server.storedFiles().isEmpty, sourceLocation: sourceLocation)
    }

    @Test func noAuthorization() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(s, auth: nil, status: 401, reasonContains: "authorization required")
        }
    }

    @Test func notNostrScheme() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(s, auth: "Bearer abc", status: 401, reasonContains: "scheme")
        }
    }

    @Test func badSignature() async throws {
        try await withBlossomServer { s in
            let good = try BlossomAuth.token(
                verb: .upload, content: "Upload", hashes: [BlobHash.of(data)],
                expiration: Event.now() + 60, key: key)
            // Another key's signature over the same id.
            let forged = Event(
                id: good.id, pubkey: good.pubkey, createdAt: good.createdAt, kind: good.kind, tags: good.tags,
                content: good.content, sig: try SecretKey.generate().signSchnorr(message: Hex.decode(good.id)).hexString)
            try await expectRefusedUpload(s, auth: BlossomAuth.headerValue(for: forged), status: 401, reasonContains: "signature")
        }
    }

    @Test func tamperedContentChangesID() async throws {
        try await withBlossomServer { s in
            let good = try BlossomAuth.token(
                verb: .upload, content: "Upload", hashes: [BlobHash.of(data)],
                expiration: Event.now() + 60, key: key)
            let edited = Event(
                id: good.id, pubkey: good.pubkey, createdAt: good.createdAt, kind: good.kind, tags: good.tags,
                content: "Upload everything", sig: good.sig)
            try await expectRefusedUpload(s, auth: BlossomAuth.headerValue(for: edited), status: 401, reasonContains: "invalid")
        }
    }

    @Test func wrongKind() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, kind: 1), status: 401, reasonContains: "kind 24242")
        }
    }

    @Test func wrongVerb() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, verb: "delete"), status: 401, reasonContains: "t tag")
        }
    }

    @Test func hashNotMatchingBody() async throws {
        try await withBlossomServer { s in
            let other = BlobHash.of(Data("something else".utf8))
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, hash: other), status: 401, reasonContains: "x tags")
        }
    }

    @Test func claimedHashNotMatchingBody() async throws {
        try await withBlossomServer { s in
            // Token and X-SHA-256 agree with each other, not with the bytes sent.
            let other = BlobHash.of(Data("something else".utf8))
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, hash: other),
                extraHeaders: [("X-SHA-256", other)], status: 409, reasonContains: "does not match")
        }
    }

    @Test func expired() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, expiration: Event.now() - 1),
                status: 401, reasonContains: "expired")
        }
    }

    @Test func missingExpiration() async throws {
        try await withBlossomServer { s in
            let event = try Event.sign(
                kind: 24242, content: "Upload", tags: [["t", "upload"], ["x", BlobHash.of(data)]], with: key)
            try await expectRefusedUpload(s, auth: BlossomAuth.headerValue(for: event), status: 401, reasonContains: "expiration")
        }
    }

    @Test func createdInTheFuture() async throws {
        try await withBlossomServer { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key, createdAt: Event.now() + 3600),
                status: 401, reasonContains: "future")
        }
    }

    @Test func smallClockSkewIsTolerated() async throws {
        try await withBlossomServer { s in
            let r = try await raw(
                .PUT, s.url.absoluteString + "/upload",
                headers: [("Authorization", try uploadToken(for: data, key: key, createdAt: Event.now() + 20))], body: data)
            #expect(r.status == 201)
        }
    }

    @Test func tokenScopedToAnotherServer() async throws {
        try await withBlossomServer { s in
            let event = try BlossomAuth.token(
                verb: .upload, content: "Upload", hashes: [BlobHash.of(data)],
                servers: ["cdn.example.com"], expiration: Event.now() + 60, key: key)
            try await expectRefusedUpload(
                s, auth: BlossomAuth.headerValue(for: event), status: 401, reasonContains: "other servers")
        }
    }

    @Test func uploaderNotAllowed() async throws {
        let allowed = SecretKey.generate()
        try await withBlossomServer({ $0.allowedPubkeys = [allowed.xOnlyPublicKey.hex] }) { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key), status: 403, reasonContains: "not allowed")
            // The allowed key gets in.
            let ok = try await raw(
                .PUT, s.url.absoluteString + "/upload",
                headers: [("Authorization", try uploadToken(for: data, key: allowed))], body: data)
            #expect(ok.status == 201)
        }
    }

    @Test func overSizeLimitByContentLength() async throws {
        try await withBlossomServer({ $0.maxUploadBytes = 16 }) { s in
            try await expectRefusedUpload(
                s, auth: try uploadToken(for: data, key: key), status: 413, reasonContains: "16-byte limit")
        }
    }

    /// Without Content-Length (chunked) the limit is enforced while streaming.
    @Test func overSizeLimitWhileStreaming() async throws {
        try await withBlossomServer({ $0.maxUploadBytes = 64 << 10 }) { s in
            let big = randomData(1 << 20)
            var request = HTTPClientRequest(url: s.url.absoluteString + "/upload")
            request.method = .PUT
            request.headers.add(name: "Authorization", value: try uploadToken(for: big, key: key))
            let chunks = stride(from: 0, to: big.count, by: 16 << 10).map {
                ByteBuffer(bytes: big[$0..<min($0 + (16 << 10), big.count)])
            }
            let stream = AsyncStream<ByteBuffer> { c in
                for chunk in chunks { c.yield(chunk) }
                c.finish()
            }
            request.body = .stream(stream, length: .unknown)
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 413)
                #expect(response.headers.first(name: "X-Reason")?.contains("limit") == true)
            } catch {
                // The server may close the connection before the client finished sending;
                // what matters is that nothing was kept.
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(s.storedFiles().isEmpty)
        }
    }

    @Test func unknownHash() async throws {
        try await withBlossomServer { s in
            let sha = BlobHash.of(data)
            let get = try await raw(.GET, "\(s.url.absoluteString)/\(sha).txt")
            #expect(get.status == 404)
            #expect(get.reason.contains("not found"))
            #expect(try await raw(.HEAD, "\(s.url.absoluteString)/\(sha)").status == 404)
            #expect(try await raw(.GET, "\(s.url.absoluteString)/not-a-hash").status == 400)
            #expect(try await quickClient([s.url]).head(sha) == nil)
        }
    }

    @Test func deleteByNonOwner() async throws {
        try await withBlossomServer { s in
            let owner = quickClient([s.url], key: key)
            let stranger = quickClient([s.url], key: SecretKey.generate())
            let d = try await owner.upload(data)
            do {
                try await stranger.delete(d.sha256, on: s.url)
                Issue.record("a stranger deleted the blob")
            } catch let error as BlossomError {
                #expect(error.statusCode == 403)
                #expect(error.description.contains("did not upload"))
            }
            #expect(try await owner.exists(d.sha256))
            // A delete token for another hash does not work either.
            let wrong = try BlossomAuth.token(
                verb: .delete, content: "Delete", hashes: [BlobHash.of(Data())],
                expiration: Event.now() + 60, key: key)
            let r = try await raw(
                .DELETE, "\(s.url.absoluteString)/\(d.sha256)", headers: [("Authorization", BlossomAuth.headerValue(for: wrong))])
            #expect(r.status == 401)
            #expect(try await owner.exists(d.sha256))
        }
    }

    @Test func sharedBlobSurvivesOneOwnersDelete() async throws {
        try await withBlossomServer { s in
            let a = quickClient([s.url], key: key)
            let b = quickClient([s.url], key: SecretKey.generate())
            let d = try await a.upload(data)
            _ = try await b.upload(data)
            try await a.delete(d.sha256, on: s.url)
            #expect(try await b.download(d.sha256) == data)
            try await b.delete(d.sha256, on: s.url)
            #expect(s.storedFiles().isEmpty)
        }
    }

    @Test func uploadPreflight() async throws {
        try await withBlossomServer({ $0.maxUploadBytes = 1000 }) { s in
            let url = s.url.absoluteString + "/upload"
            let sha = BlobHash.of(data)
            let auth = try uploadToken(for: data, key: key)
            func head(_ headers: [(String, String)]) async throws -> RawResponse { try await raw(.HEAD, url, headers: headers) }
            #expect(
                try await head([
                    ("Authorization", auth), ("X-SHA-256", sha), ("X-Content-Length", "10"), ("X-Content-Type", "text/plain"),
                ]).status == 200)
            let big = try await head([("Authorization", auth), ("X-SHA-256", sha), ("X-Content-Length", "1001")])
            #expect(big.status == 413)
            #expect(big.reason.contains("limit"))
            #expect(try await head([("Authorization", auth), ("X-SHA-256", sha)]).status == 411)
            #expect(try await head([("Authorization", auth), ("X-SHA-256", "XYZ"), ("X-Content-Length", "1")]).status == 400)
            #expect(try await head([("X-SHA-256", sha), ("X-Content-Length", "1")]).status == 401)
            // The client uses the preflight and never sends the body of a refused blob.
            do {
                _ = try await quickClient([s.url]).upload(randomData(2000))
                Issue.record("an over-limit upload succeeded")
            } catch let error as BlossomError {
                #expect(error.statusCode == 413)
                #expect(error.description.contains("1000-byte limit"))
            }
            #expect(s.storedFiles().isEmpty)
        }
    }
}

extension Array where Element == UInt8 {
    var hexString: String { Hex.encode(self) }
}
