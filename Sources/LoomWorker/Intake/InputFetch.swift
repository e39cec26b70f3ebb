import Blossom
import BlossomClient
import Foundation
import LoomProtocol

/// Fetching a job's input blob (`input_blob`), after the job is journaled
/// and its token inspected, before the swap: a blob that is missing or not
/// the one named is refused with its own code and nothing is taken.
extension Worker {
    /// The request with its input blob replaced by what the blob holds.
    /// Inline inputs pass unchanged, without a network call.
    func resolveInput(_ opened: OpenedRequest) async throws(RequestRejection) -> OpenedRequest {
        guard case .blob(let blob) = opened.request.input else { return opened }
        let input = try await Self.fetchInput(blob, from: blossom, limit: configuration.maxInputBytes)
        return opened.with(input: input)
    }

    /// Downloads `blob` by its address from the worker's own Blossom servers
    /// (never from a URL the client names: no request makes the worker dial
    /// a place of the client's choosing), at most `blob_size` bytes and never
    /// more than `limit`, then checks both hashes and the tag.
    static func fetchInput(
        _ blob: InputBlob, from blossom: BlossomClient, limit: UInt64
    ) async throws(RequestRejection) -> JobRequest.Input {
        guard blob.blobSize <= limit else { throw .inputTooLarge(bytes: blob.blobSize, limit: limit) }
        let bytes: Data
        do { bytes = try await blossom.download(blob.blobSha256, maxBytes: Int(blob.blobSize)) } catch let e as BlossomError {
            if Self.sentOtherBytes(e) { throw .inputMismatch("a server sent other bytes than blob_sha256 names") }
            throw .inputUnavailable
        } catch {
            throw .inputUnavailable
        }
        let plaintext: Data
        do { plaintext = try blob.open(bytes) } catch { throw .inputMismatch(error.description) }
        do { return try InputBlob.Body.input(from: plaintext) } catch { throw .inputMismatch(error.description) }
    }

    /// A server that answered with bytes that are not the blob, or more of
    /// them than `blob_size`, as opposed to one that did not have it.
    static func sentOtherBytes(_ error: BlossomError) -> Bool {
        switch error {
        case .hashMismatch, .tooLarge: true
        case .allServersFailed(let all): all.contains(where: sentOtherBytes)
        default: false
        }
    }
}
