import AsyncHTTPClient
import Blossom
import Foundation
import NIOCore
import NIOHTTP1
import Nostr
import Secp256k1

// The in-process server (`withBlossomServer`, `RunningServer`), `quickClient`
// and `randomData` are in LoomTestFixtures: BlossomLiveTests use them too.

/// A plain HTTP exchange, for requests the client would never send.
struct RawResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data
    var reason: String { headers.first(name: "X-Reason") ?? "" }
}

func raw(
    _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil
) async throws -> RawResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return RawResponse(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
}

/// An upload token with every field overridable, to build each kind of bad token.
func uploadToken(
    for data: Data, key: SecretKey, kind: Int = BlossomAuth.kind, verb: String = "upload",
    hash: String? = nil, expiration: Int64 = Event.now() + 300, createdAt: Int64 = Event.now()
) throws -> String {
    let tags = [["t", verb], ["expiration", String(expiration)], ["x", hash ?? BlobHash.of(data)]]
    let event = try Event.sign(kind: kind, content: "Upload test blob", tags: tags, createdAt: createdAt, with: key)
    return BlossomAuth.headerValue(for: event)
}
