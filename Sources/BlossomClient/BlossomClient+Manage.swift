import AsyncHTTPClient
import Blossom
import Foundation
import NIOCore
import NIOHTTP1

/// BUD-12 `GET /list/<pubkey>` and `DELETE /<sha256>`.
extension BlossomClient {
    /// Descriptors uploaded by `pubkey`, newest first, from the first server
    /// that answers (or only `server`). `cursor` is the last hash of the previous page.
    public func list(
        pubkey: String, on server: URL? = nil, since: Int64? = nil, until: Int64? = nil,
        cursor: String? = nil, limit: Int? = nil
    ) async throws -> [BlobDescriptor] {
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let until { query.append("until=\(until)") }
        if let cursor { query.append("cursor=\(cursor)") }
        if let limit { query.append("limit=\(limit)") }
        let suffix = query.isEmpty ? "" : "?" + query.joined(separator: "&")
        return try await withFallback(servers: server.map { [$0] }) { server in
            let response = try await execute(
                HTTPClientRequest(url: Self.endpoint(server, "list/\(pubkey)" + suffix)), server: server)
            guard response.status == .ok else { throw Self.statusError(response, server: server) }
            return try await Self.decodeJSON([BlobDescriptor].self, response, server: server)
        }
    }

    /// Deletes a blob from one server. The token names the blob and that
    /// server's host, so it cannot be replayed to delete the blob elsewhere.
    public func delete(_ sha256: String, on server: URL) async throws {
        try Self.requireHash(sha256)
        let auth = try signedHeader(
            verb: .delete, content: "Delete blob \(sha256)", hashes: [sha256],
            servers: server.host.map { [$0] } ?? [])
        try await withRetry(server: server) { server in
            var request = HTTPClientRequest(url: Self.endpoint(server, sha256))
            request.method = .DELETE
            request.headers.add(name: "Authorization", value: auth)
            let response = try await execute(request, server: server)
            guard (200..<300).contains(response.status.code) else { throw Self.statusError(response, server: server) }
        }
    }

    /// Deletes from every configured server; a server's error is kept, not thrown,
    /// so one unreachable server does not hide the others' results.
    public func deleteEverywhere(_ sha256: String) async -> [(server: URL, error: BlossomError?)] {
        var results: [(server: URL, error: BlossomError?)] = []
        for server in configuration.servers {
            do {
                try await delete(sha256, on: server)
                results.append((server, nil))
            } catch let e as BlossomError {
                results.append((server, e))
            } catch {
                results.append((server, .transport(server: Self.name(server), message: String(describing: error))))
            }
        }
        return results
    }
}
