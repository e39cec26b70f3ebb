import Blossom
import Foundation
import Hummingbird

/// BUD-01 `GET`/`HEAD /<sha256>[.ext]` and BUD-12 `DELETE /<sha256>`.
extension BlossomServer {
    func blob(_ request: Request, context: BasicRequestContext, bodyWanted: Bool) async throws -> Response {
        let sha256 = try blobParameter(context)
        guard let record = try await index.blob(sha256), store.exists(sha256) else {
            throw Refusal(.notFound, "blob \(sha256) not found")
        }
        var headers: HTTPFields = [.contentType: record.type, .acceptRanges: "bytes"]
        let path = store.path(of: sha256)
        // Ranges apply to GET only; a HEAD reports the whole blob.
        let range = bodyWanted ? ByteRange.resolve(request.headers[.range], size: record.size) : .whole
        switch range {
        case .unsatisfiable:
            return try Refusal(
                .rangeNotSatisfiable, "range is outside the \(record.size)-byte blob",
                headers: [.contentRange: "bytes */\(record.size)"]
            )
            .response(from: request, context: context)
        case .whole:
            headers[.contentLength] = String(record.size)
            guard bodyWanted, record.size > 0 else { return Response(status: .ok, headers: headers) }
            let body = try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let r):
            headers[.contentLength] = String(r.count)
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(record.size)"
            let body = try await fileIO.loadFile(path: path, range: Int(r.lowerBound)...Int(r.upperBound), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }

    /// Removes the caller's ownership; the bytes go when the last owner deletes.
    func delete(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let sha256 = try blobParameter(context)
        let event = try authorize(request, .init(verb: .delete, hash: sha256, hashRequired: true, serverDomains: serverDomains))
        switch try await index.remove(sha256, owner: event.pubkey) {
        case .notFound: throw Refusal(.notFound, "blob \(sha256) not found")
        case .notOwner: throw Refusal(.forbidden, "pubkey \(event.pubkey) did not upload blob \(sha256)")
        case .ownerRemoved: break
        case .blobRemoved: store.remove(sha256)
        }
        context.logger.info("blob deleted", metadata: ["sha256": .string(sha256)])
        return Response(status: .noContent)
    }

    /// BUD-12 `GET /list/<pubkey>`: public, newest first, cursor/limit paging,
    /// and the deprecated since/until filters.
    func list(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let pubkey = context.parameters.get("pubkey"), BlobHash.isValid(pubkey) else {
            throw Refusal(.badRequest, "pubkey must be 64 lower-case hex characters")
        }
        let query = request.uri.queryParameters
        func int(_ name: String) throws -> Int64? {
            guard let text = query.get(name) else { return nil }
            guard let value = Int64(text) else { throw Refusal(.badRequest, "\(name) must be an integer") }
            return value
        }
        let cursor = query.get("cursor")
        if let cursor, !BlobHash.isValid(cursor) { throw Refusal(.badRequest, "cursor must be a sha256") }
        let limit = try int("limit").map { Int(max(1, min($0, 1000))) } ?? 1000
        let records = try await index.list(
            pubkey: pubkey, since: try int("since"), until: try int("until"), cursor: cursor, limit: limit)
        return try json(records.map { descriptor($0, request: request) })
    }
}
