import Blossom
import Foundation
import Hummingbird
import Nostr

/// BUD-02 `PUT /upload` and BUD-06 `HEAD /upload`.
extension BlossomServer {
    func upload(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let claimed = try hashHeader(request, required: false)
        // Everything that can be decided from the headers is, before a byte of body is read.
        let event = try authorize(request, .init(verb: .upload, hash: claimed, hashRequired: true, serverDomains: serverDomains))
        try requireUploader(event.pubkey)
        if let text = request.headers[.contentLength] {
            guard let length = Int64(text), length >= 0 else { throw Refusal(.badRequest, "Content-Length is not a byte count") }
            try checkSize(length)
        }
        let type = MediaType.sanitized(request.headers[.contentType])

        let received: (tmp: String, sha256: String, size: Int64)
        do {
            received = try await store.receive(request.body, limit: configuration.maxUploadBytes)
        } catch BlobStore.ReceiveError.tooLarge {
            throw tooLarge()
        }
        // From here every refusal must discard the temp file.
        if let claimed, claimed != received.sha256 {
            store.discard(received.tmp)
            throw Refusal(.conflict, "X-SHA-256 \(claimed) does not match the body's sha256 \(received.sha256)")
        }
        guard event.tagValues("x").contains(received.sha256) else {
            store.discard(received.tmp)
            throw Refusal.auth(.hashNotAuthorized(received.sha256))
        }
        if store.exists(received.sha256) {
            store.discard(received.tmp)
        } else {
            try store.commit(tmp: received.tmp, as: received.sha256)
        }
        let record = BlobRecord(sha256: received.sha256, size: received.size, type: type, uploaded: Event.now())
        let (stored, created) = try await index.add(record, owner: event.pubkey)
        context.logger.info("blob stored", metadata: ["sha256": .string(stored.sha256), "size": .stringConvertible(stored.size)])
        return try json(descriptor(stored, request: request), status: created ? .created : .ok)
    }

    /// Would `PUT /upload` accept a blob described by X-SHA-256, X-Content-Length
    /// and X-Content-Type? Same checks as the upload, minus the body.
    func uploadPreflight(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let claimed = try hashHeader(request, required: true) else {
            throw Refusal(.badRequest, "X-SHA-256 header is required")
        }
        let event = try authorize(request, .init(verb: .upload, hash: claimed, hashRequired: true, serverDomains: serverDomains))
        try requireUploader(event.pubkey)
        guard let text = request.headers[.xContentLength] else {
            throw Refusal(.lengthRequired, "X-Content-Length header is required")
        }
        guard let length = Int64(text), length >= 0 else { throw Refusal(.badRequest, "X-Content-Length is not a byte count") }
        try checkSize(length)
        return Response(status: .ok)
    }

    private func hashHeader(_ request: Request, required: Bool) throws -> String? {
        guard let value = request.headers[.xSHA256] else { return nil }
        guard BlobHash.isValid(value) else { throw Refusal(.badRequest, "X-SHA-256 must be 64 lower-case hex characters") }
        return value
    }

    private func checkSize(_ length: Int64) throws {
        if length > configuration.maxUploadBytes { throw tooLarge() }
    }

    private func tooLarge() -> Refusal {
        Refusal(.contentTooLarge, "blob is larger than the \(configuration.maxUploadBytes)-byte limit")
    }
}
