import AsyncHTTPClient
import Blossom
import Foundation
import NIOCore
import NIOHTTP1
import _NIOFileSystem

/// What `HEAD /<sha256>` reports about a stored blob (BUD-01).
public struct BlobInfo: Sendable, Hashable {
    public var server: URL
    public var size: Int64?
    public var type: String?
}

/// BUD-01 `GET` and `HEAD /<sha256>`. Every download is hashed as it arrives
/// and refused unless it matches the address: servers are not trusted.
extension BlossomClient {
    /// Downloads a blob into memory, refusing bodies over `maxBytes`.
    /// `preferredURL` (e.g. a descriptor's `url`) is tried before the servers.
    public func download(_ sha256: String, preferredURL: URL? = nil, maxBytes: Int = 64 << 20) async throws -> Data {
        try Self.requireHash(sha256)
        return try await withFallback(servers: candidates(preferredURL)) { server in
            let response = try await execute(getRequest(server, sha256), server: server)
            guard response.status == .ok else { throw Self.statusError(response, server: server) }
            var hasher = StreamingHasher()
            var data = Data()
            do {
                for try await chunk in response.body {
                    hasher.update(chunk)
                    guard hasher.count <= maxBytes else {
                        throw BlossomError.tooLarge(server: Self.name(server), limit: maxBytes)
                    }
                    data.append(contentsOf: chunk.readableBytesView)
                }
            } catch let e as BlossomError { throw e } catch {
                throw BlossomError.transport(server: Self.name(server), message: "reading body: \(error)")
            }
            try Self.checkHash(hasher.finalize(), sha256, server)
            return data
        }
    }

    /// Streams a blob to `path`, never holding it whole. The bytes land in a
    /// sibling temporary file that is renamed into place only once the hash
    /// matches, so `path` never holds a partial or forged blob.
    @discardableResult
    public func download(_ sha256: String, to path: String, preferredURL: URL? = nil) async throws -> BlobInfo {
        try Self.requireHash(sha256)
        return try await withFallback(servers: candidates(preferredURL)) { server in
            let response = try await execute(getRequest(server, sha256), server: server)
            guard response.status == .ok else { throw Self.statusError(response, server: server) }
            let partial = path + ".part-" + UUID().uuidString
            do {
                var hasher = StreamingHasher()
                try await FileSystem.shared.withFileHandle(
                    forWritingAt: FilePath(partial), options: .newFile(replaceExisting: true)
                ) { handle in
                    try await handle.withBufferedWriter { writer in
                        for try await chunk in response.body {
                            hasher.update(chunk)
                            try await writer.write(contentsOf: chunk)
                        }
                    }
                }
                try Self.checkHash(hasher.finalize(), sha256, server)
                guard rename(partial, path) == 0 else {
                    throw BlossomError.invalidArgument("cannot move download to \(path): errno \(errno)")
                }
                return BlobInfo(server: server, size: hasher.count, type: response.headers.first(name: "Content-Type"))
            } catch {
                _ = unlink(partial)
                if error is BlossomError { throw error }
                throw BlossomError.transport(server: Self.name(server), message: "downloading: \(error)")
            }
        }
    }

    /// `HEAD /<sha256>` on each server in order. Returns the first server that
    /// has the blob, nil when every server that answered said 404.
    public func head(_ sha256: String) async throws -> BlobInfo? {
        try Self.requireHash(sha256)
        do {
            return try await withFallback { server in
                var request = getRequest(server, sha256)
                request.method = .HEAD
                let response = try await execute(request, server: server)
                guard response.status == .ok else { throw Self.statusError(response, server: server) }
                return BlobInfo(
                    server: server,
                    size: response.headers.first(name: "Content-Length").flatMap { Int64($0) },
                    type: response.headers.first(name: "Content-Type"))
            }
        } catch let error as BlossomError {
            let failures = if case .allServersFailed(let all) = error { all } else { [error] }
            if failures.contains(where: { $0.statusCode == 404 }) { return nil }
            throw error
        }
    }

    public func exists(_ sha256: String) async throws -> Bool { try await head(sha256) != nil }

    /// A descriptor URL may carry an extension or sit on a server we do not
    /// know; it is tried first, then our servers by hash.
    private func candidates(_ preferred: URL?) -> [URL] {
        guard let preferred else { return configuration.servers }
        return [preferred] + configuration.servers
    }

    func getRequest(_ server: URL, _ sha256: String) -> HTTPClientRequest {
        // A full blob URL (from a descriptor) is used as is; a base gets /<sha256>.
        let last = server.lastPathComponent
        let url = BlobHash.parsePathComponent(last)?.sha256 == sha256 ? server.absoluteString : Self.endpoint(server, sha256)
        return HTTPClientRequest(url: url)
    }

    static func requireHash(_ sha256: String) throws {
        guard BlobHash.isValid(sha256) else { throw BlossomError.invalidArgument("not a lower-case hex sha256: \(sha256)") }
    }

    static func checkHash(_ actual: String, _ expected: String, _ server: URL) throws {
        guard actual == expected else {
            throw BlossomError.hashMismatch(server: name(server), expected: expected, actual: actual)
        }
    }
}
