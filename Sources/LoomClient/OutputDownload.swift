import Blossom
import BlossomClient
import Foundation
import LoomProtocol

/// Why an output of a result could not be shown. Money is never involved:
/// the bill and change stand whatever happens to the outputs.
public enum OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    case unusableURL(String)
    /// No server gave the stored bytes.
    case notDownloaded(String)
    /// A server answered with bytes that are not the blob at that address.
    case altered(String)
    /// The bytes arrived and were refused, or could never be opened.
    case refused(BlobError)

    public var description: String {
        switch self {
        case .unusableURL: "has a URL that is not usable"
        case .notDownloaded(let why): "could not be downloaded: \(why)"
        case .altered(let why): "refused: the Blossom server sent other bytes than the blob the result names (\(why))"
        case .refused(let why): "refused: \(why)"
        }
    }
}

extension JobClient {
    /// One output's content: the stored blob downloaded by its address,
    /// decrypted, and checked against both hashes (the blob's, the
    /// content's); a blob stored in clear is checked against `sha256`.
    public static func fetch(_ output: JobResult.Output, maxBytes: Int = 64 << 20) async throws(OutputError) -> Data {
        do { try output.checkReadable() } catch { throw .refused(error) }
        guard let url = URL(string: output.url), let origin = origin(of: url) else { throw .unusableURL(output.url) }
        let blossom = BlossomClient(
            configuration: .init(servers: [origin], retry: RetryPolicy(maxAttempts: 3), requestTimeout: .seconds(60)))
        let blob: Data
        do {
            blob = try await blossom.download(output.blobAddress, preferredURL: url, maxBytes: maxBytes)
        } catch let error as BlossomError where error.isHashMismatch {
            throw .altered(error.description)
        } catch {
            throw .notDownloaded(String(describing: error))
        }
        do { return try output.open(blob) } catch { throw .refused(error) }
    }

    /// Fetches every output into the outcome; each failure is a warning that
    /// names the output and what went wrong, never a lost job.
    func download(_ outputs: [JobResult.Output], into outcome: inout JobOutcome) async {
        for output in outputs {
            var item = DownloadedOutput(descriptor: output, data: nil)
            do {
                item.data = Array(try await Self.fetch(output))
                if output.encryption == nil {
                    outcome.warnings.append(
                        "output \(output.type) at \(output.url) was stored on Blossom in clear text, where anyone can read it: this worker does not encrypt its outputs"
                    )
                }
            } catch {
                outcome.warnings.append("output \(output.type) at \(output.url) \(error)")
            }
            outcome.outputs.append(item)
        }
        let text =
            outcome.outputs.first { $0.descriptor.type.hasPrefix("text/") && $0.data != nil }
            ?? outcome.outputs.first { $0.data != nil && $0.descriptor.type != "application/json" }
        outcome.output = text?.data.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `scheme://host:port` of a URL: the Blossom server to fall back on.
    static func origin(of url: URL) -> URL? {
        guard let scheme = url.scheme, let host = url.host else { return nil }
        return URL(string: "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? ""))
    }
}

extension BlossomError {
    /// Some server answered, but with bytes that do not hash to the address.
    var isHashMismatch: Bool {
        switch self {
        case .hashMismatch: true
        case .allServersFailed(let all): all.contains(where: \.isHashMismatch)
        default: false
        }
    }
}
