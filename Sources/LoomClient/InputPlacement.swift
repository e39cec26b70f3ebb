import Blossom
import BlossomClient
import Foundation
import LoomProtocol
import Nostr
import Secp256k1

/// Where a job's input travels: inside the request event, or, when that
/// would make the event larger than the worker reads (`max_request_bytes`),
/// as an encrypted blob on one of the worker's own Blossom servers. Decided
/// and done before anything is paid, so a request that cannot be sent
/// costs nothing.
extension JobClient {
    /// Room left for the payment token when the request is measured before
    /// the token exists: a `cashuB` token with a dozen proofs and their DLEQ
    /// proofs, with room to spare. The sealed request is measured again,
    /// exactly, once the token is made.
    static let tokenAllowance = 4_096

    /// `order` with its input as it will be sent: inline when it fits the
    /// worker's request limit (and no blob was asked for), else sealed,
    /// uploaded to the worker's Blossom servers and referenced.
    func placeInput(_ order: JobOrder, offer: WorkerOffer, workerKey: XOnlyPublicKey) async throws -> JobOrder {
        let ad = offer.advertisement
        let inlineSize = try Self.sealedSize(order, workerKey: workerKey, key: key, relays: pool.urls)
        guard order.inputBlob || inlineSize > ad.requestLimit else { return order }
        guard ad.inputLimit > 0, !ad.blossom.isEmpty else {
            throw ClientError.requestTooLarge(bytes: inlineSize, limit: ad.requestLimit, worker: ad.name, takesBlobs: false)
        }
        let (reference, blob) = try InputBlob.seal(order.input)
        guard reference.blobSize <= ad.inputLimit else {
            throw ClientError.inputTooLarge(bytes: reference.blobSize, limit: ad.inputLimit, worker: ad.name)
        }
        let servers = await dialable(ad.blossom, schemes: ["http", "https"]).compactMap(URL.init(string:))
        guard !servers.isEmpty else {
            throw ClientError.inputUploadFailed(
                "each is a local or private address you did not configure (set LOOM_ALLOW_HOSTS to allow one)",
                servers: ad.blossom)
        }
        // Signed with the client's key: the upload is ours, the worker only reads it.
        let uploader = BlossomClient(servers: servers, key: key)
        do { _ = try await uploader.upload(blob, type: MediaType.fallback) } catch {
            throw ClientError.inputUploadFailed("\(error)", servers: ad.blossom)
        }
        logger.debug("input as blob", metadata: ["blob": "\(reference)"])
        var placed = order
        placed.input = .blob(reference)
        let size = try Self.sealedSize(placed, workerKey: workerKey, key: key, relays: pool.urls)
        guard size <= ad.requestLimit else {
            // Only the options or a tiny limit can make a blob request too large.
            throw ClientError.requestTooLarge(bytes: size, limit: ad.requestLimit, worker: ad.name, takesBlobs: true)
        }
        return placed
    }

    /// The size the worker will measure (`RequestOpener.approximateSize`) of
    /// `order` sealed with a placeholder token `tokenAllowance` long.
    static func sealedSize(_ order: JobOrder, workerKey: XOnlyPublicKey, key: SecretKey, relays: [String]) throws -> Int {
        let placeholder = "cashuB" + String(repeating: "A", count: tokenAllowance - 6)
        let request = JobRequest(
            model: order.model, input: order.input, options: order.options, payment: placeholder,
            maxSeconds: order.seconds, lockChange: order.lockChange)
        do {
            let event = try request.seal(from: key, to: workerKey, relays: relays, expiresAt: Event.now() + order.expiresIn)
            return RequestOpener.approximateSize(event)
        } catch NIP44Error.invalidPlaintextLength(let n) where n > NIP44.maxPlaintextBytes {
            // NIP-44 v2 seals at most 65,535 bytes, so such an input never goes
            // inline, whatever the worker takes: at least its base64 size.
            return n / 3 * 4 + 200
        }
    }
}
