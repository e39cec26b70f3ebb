import Blossom
import BlossomClient
import Foundation
import Nostr
import Secp256k1
import Testing

@testable import BlossomServer

/// The pure rules, without sockets.
@Suite struct RulesTests {
    let key = SecretKey.generate()
    let hash = String(repeating: "ab", count: 32)

    @Test func tokenRoundTripsThroughHeader() throws {
        let event = try BlossomAuth.token(
            verb: .upload, content: "Upload", hashes: [hash], expiration: Event.now() + 60, key: key)
        let header = BlossomAuth.headerValue(for: event)
        #expect(header.hasPrefix("Nostr "))
        #expect(!header.contains("=") && !header.contains("+") && !header.contains("/"))
        #expect(try BlossomAuth.parseHeader(header) == event)
        // Classic padded base64, as older clients send it, is accepted too.
        let classic = "Nostr " + Data(event.jsonBytes).base64EncodedString()
        #expect(try BlossomAuth.parseHeader(classic) == event)
        try BlossomAuth.check(event, .init(verb: .upload, hash: hash, hashRequired: true))
    }

    @Test func checksInOrder() throws {
        let now = Event.now()
        func check(_ tags: [[String]], kind: Int = 24242, createdAt: Int64 = Event.now(), _ req: BlossomAuth.Requirement) throws {
            try BlossomAuth.check(Event.sign(kind: kind, content: "", tags: tags, createdAt: createdAt, with: key), req, now: now)
        }
        let exp = ["expiration", String(now + 60)]
        let up = BlossomAuth.Requirement(verb: .upload, hash: hash, hashRequired: true)
        #expect(throws: AuthError.wrongKind(1)) { try check([["t", "upload"], exp, ["x", hash]], kind: 1, up) }
        #expect(throws: AuthError.missingExpiration) { try check([["t", "upload"], ["x", hash]], up) }
        #expect(throws: AuthError.expired(now)) { try check([["t", "upload"], ["expiration", String(now)], ["x", hash]], up) }
        #expect(throws: AuthError.createdInFuture(now + 61)) {
            try check([["t", "upload"], exp, ["x", hash]], createdAt: now + 61, up)
        }
        #expect(throws: AuthError.missingHash) { try check([["t", "upload"], exp], up) }
        #expect(throws: AuthError.hashNotAuthorized(hash)) {
            try check([["t", "upload"], exp, ["x", String(repeating: "0", count: 64)]], up)
        }
        #expect(throws: AuthError.wrongVerb(expected: .upload, got: ["get"])) {
            try check([["t", "get"], exp, ["x", hash]], up)
        }
        // x is optional for get, but if present it must name the blob.
        try check([["t", "get"], exp], .init(verb: .get, hash: hash))
        #expect(throws: AuthError.hashNotAuthorized(hash)) {
            try check([["t", "get"], exp, ["x", String(repeating: "0", count: 64)]], .init(verb: .get, hash: hash))
        }
        // server tags scope the token.
        let scoped = BlossomAuth.Requirement(verb: .list, serverDomains: ["blobs.example.com"])
        try check([["t", "list"], exp, ["server", "Blobs.Example.com"]], scoped)
        #expect(throws: AuthError.wrongServer(["other.example.com"])) {
            try check([["t", "list"], exp, ["server", "other.example.com"]], scoped)
        }
    }

    @Test func pathComponents() {
        #expect(BlobHash.parsePathComponent(hash)?.sha256 == hash)
        #expect(BlobHash.parsePathComponent(hash + ".pdf")?.ext == "pdf")
        #expect(BlobHash.parsePathComponent(hash.uppercased()) == nil)
        #expect(BlobHash.parsePathComponent(String(hash.dropLast())) == nil)
        #expect(BlobHash.parsePathComponent(hash + ".") == nil)
        #expect(BlobHash.of(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func byteRanges() {
        #expect(ByteRange.resolve(nil, size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=0-0", size: 10) == .partial(0...0))
        #expect(ByteRange.resolve("bytes=5-100", size: 10) == .partial(5...9))
        #expect(ByteRange.resolve("bytes=-4", size: 10) == .partial(6...9))
        #expect(ByteRange.resolve("bytes=-40", size: 10) == .partial(0...9))
        #expect(ByteRange.resolve("bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=-0", size: 10) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=1-2,4-5", size: 10) == .whole)
        #expect(ByteRange.resolve("items=1-2", size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=5-2", size: 10) == .whole)
    }

    @Test func mediaTypes() {
        #expect(MediaType.fileExtension(for: "text/plain; charset=utf-8") == "txt")
        #expect(MediaType.fileExtension(for: "application/x-unknown") == "bin")
        #expect(MediaType.type(forExtension: "JPEG") == "image/jpeg")
        #expect(MediaType.sanitized("text/plain\r\nX-Evil: 1") == MediaType.fallback)
        #expect(MediaType.sanitized(nil) == MediaType.fallback)
    }

    @Test func backoffDoubles() {
        let p = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        #expect(p.delay(after: 1) == .milliseconds(100))
        #expect(p.delay(after: 2) == .milliseconds(200))
        #expect(p.delay(after: 3) == .milliseconds(350))
    }

    @Test func descriptorTolerantDecoding() throws {
        let json = #"{"url":"https://x/\#(hash).pdf","sha256":"\#(hash)","size":3,"nip94":[]}"#
        let d = try JSONDecoder().decode(BlobDescriptor.self, from: Data(json.utf8))
        #expect(d.type == "application/octet-stream")
        #expect(d.uploaded == 0)
    }
}
