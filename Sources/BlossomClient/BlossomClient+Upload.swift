import AsyncHTTPClient
import Blossom
import Foundation
import NIOCore
import NIOHTTP1
import _NIOFileSystem

/// BUD-02 `PUT /upload` and BUD-06 `HEAD /upload`.
extension BlossomClient {
    /// Uploads bytes held in memory to the first server that accepts them.
    public func upload(_ data: Data, type: String = MediaType.fallback) async throws -> BlobDescriptor {
        let buffer = ByteBuffer(bytes: data)
        let blob = PreparedBlob(sha256: BlobHash.of(data), size: Int64(data.count), type: type)
        return try await upload(blob) { .bytes(buffer) }
    }

    /// Uploads a file without loading it whole: one pass hashes it, a second
    /// streams it. `type` defaults to a guess from the file extension.
    public func upload(file path: String, type: String? = nil) async throws -> BlobDescriptor {
        let (sha256, size) = try await Self.hashFile(path)
        let type = type ?? MediaType.type(forExtension: (path as NSString).pathExtension)
        let blob = PreparedBlob(sha256: sha256, size: size, type: type)
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            try await upload(blob) {
                .stream(handle.readChunks(in: 0..<size, chunkLength: .kibibytes(256)), length: .known(size))
            }
        }
    }

    /// BUD-06: asks `server` whether it would take this blob, without sending it.
    /// Throws `.status` with the server's reason when it would not.
    public func preflight(sha256: String, size: Int64, type: String, on server: URL) async throws {
        let auth = try signedHeader(verb: .upload, content: "Upload blob \(sha256)", hashes: [sha256])
        try await preflight(PreparedBlob(sha256: sha256, size: size, type: type), auth: auth, server: server)
    }

    struct PreparedBlob: Sendable {
        var sha256: String
        var size: Int64
        var type: String
    }

    private func upload(
        _ blob: PreparedBlob, body: () -> HTTPClientRequest.Body
    ) async throws -> BlobDescriptor {
        // One token for every server: it names the hash, so replaying it can
        // only ever store these exact bytes.
        let auth = try signedHeader(verb: .upload, content: "Upload \(blob.size)-byte blob \(blob.sha256)", hashes: [blob.sha256])
        return try await withFallback { server in
            if configuration.preflight { try await preflight(blob, auth: auth, server: server) }
            var request = HTTPClientRequest(url: Self.endpoint(server, "upload"))
            request.method = .PUT
            request.headers.add(name: "Authorization", value: auth)
            request.headers.add(name: "Content-Type", value: blob.type)
            request.headers.add(name: "X-SHA-256", value: blob.sha256)
            request.body = body()
            let response = try await execute(request, server: server)
            guard response.status == .ok || response.status == .created else {
                throw Self.statusError(response, server: server)
            }
            let descriptor = try await Self.decodeJSON(BlobDescriptor.self, response, server: server)
            guard descriptor.sha256 == blob.sha256, descriptor.size == blob.size else {
                throw BlossomError.invalidResponse(
                    server: Self.name(server),
                    message: "descriptor says \(descriptor.sha256)/\(descriptor.size), uploaded \(blob.sha256)/\(blob.size)")
            }
            return descriptor
        }
    }

    private func preflight(_ blob: PreparedBlob, auth: String, server: URL) async throws {
        var request = HTTPClientRequest(url: Self.endpoint(server, "upload"))
        request.method = .HEAD
        request.headers.add(name: "Authorization", value: auth)
        request.headers.add(name: "X-SHA-256", value: blob.sha256)
        request.headers.add(name: "X-Content-Length", value: String(blob.size))
        request.headers.add(name: "X-Content-Type", value: blob.type)
        let response = try await execute(request, server: server)
        switch response.status.code {
        case 200..<300: return
        // BUD-06 is optional: a server without it answers 404/405/501; go ahead and PUT.
        case 404, 405, 501: return
        default: throw Self.statusError(response, server: server)
        }
    }

    static func hashFile(_ path: String) async throws -> (String, Int64) {
        do {
            return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                var hasher = StreamingHasher()
                for try await chunk in handle.readChunks(chunkLength: .kibibytes(256)) { hasher.update(chunk) }
                return (hasher.finalize(), hasher.count)
            }
        } catch {
            throw BlossomError.invalidArgument("cannot read \(path): \(error)")
        }
    }
}
