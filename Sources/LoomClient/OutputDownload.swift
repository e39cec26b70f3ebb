import AddressSafety
import AsyncHTTPClient
import Blossom
import Foundation
import LoomHTTP
import LoomProtocol
import NIOCore

/// Why an output of a result could not be shown. Money is never involved:
/// the bill and change stand whatever happens to the outputs (and the change
/// is redeemed before any output is fetched).
public enum OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    case unusableURL(String)
    /// The URL (or a redirect) points at a local or private address the user did not configure.
    case unsafeAddress(String)
    /// No server gave the stored bytes.
    case notDownloaded(String)
    /// A server answered with bytes that are not the blob at that address, or more than announced.
    case altered(String)
    /// The bytes arrived and were refused, or could never be opened.
    case refused(BlobError)
    /// The outputs' time (`OutputLimits.deadline`) or bytes (`totalBytes`) ran out first.
    case overLimit(String)

    public var description: String {
        switch self {
        case .unusableURL: "has a URL that is not usable"
        case .unsafeAddress(let why): "was not fetched: \(why)"
        case .notDownloaded(let why): "could not be downloaded: \(why)"
        case .altered(let why): "refused: the Blossom server sent other bytes than the blob the result names (\(why))"
        case .refused(let why): "refused: \(why)"
        case .overLimit(let why): "was not fetched: \(why)"
        }
    }

    /// What it says about the worker, which chose the URL and the server.
    var finding: Finding? {
        switch self {
        case .altered: .alteredOutput
        case .refused(.hashMismatch): .alteredOutput
        case .unsafeAddress: .unsafeAddress
        case .notDownloaded, .overLimit: .outputUnavailable
        case .unusableURL, .refused: nil
        }
    }
}

/// How much of a result's outputs the client fetches: one deadline for all
/// of them, a byte total, and each output at most the size it announced.
public struct OutputLimits: Sendable, Hashable {
    public var deadline: Duration
    public var totalBytes: UInt64
    public var maxRedirects: Int

    public init(deadline: Duration = .seconds(120), totalBytes: UInt64 = JobResult.maxOutputBytes, maxRedirects: Int = 5) {
        self.deadline = deadline
        self.totalBytes = totalBytes
        self.maxRedirects = maxRedirects
    }
}

extension JobClient {
    /// Redirects are followed by hand, each target checked like the URL itself.
    static let outputHTTP = LoomHTTP.makeClient(connectTimeout: .seconds(10), readTimeout: .seconds(30), redirects: .disallow)

    /// One output's content: the stored blob downloaded from its URL (no more
    /// than `maxBytes`, never a local address the user did not configure),
    /// decrypted, and checked against both hashes (the blob's, the
    /// content's); a blob stored in clear is checked against `sha256`.
    public static func fetch(
        _ output: JobResult.Output, maxBytes: UInt64 = JobResult.maxOutputBytes, dialCheck: DialCheck = DialCheck(),
        maxRedirects: Int = 5
    ) async throws(OutputError) -> Data {
        do { try output.checkReadable() } catch { throw .refused(error) }
        guard var url = URL(string: output.url), url.host != nil else { throw .unusableURL(output.url) }
        for _ in 0...maxRedirects {
            if let why = await dialCheck.refusal(url.absoluteString, schemes: ["http", "https"]) {
                throw .unsafeAddress("\(url.absoluteString.prefix(200)): \(why)")
            }
            let response: HTTPClientResponse
            do {
                response = try await outputHTTP.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
            } catch {
                throw .notDownloaded("\(error)")
            }
            if (300..<400).contains(response.status.code) {
                guard let location = response.headers.first(name: "Location"), let next = URL(string: location, relativeTo: url)
                else { throw .notDownloaded("HTTP \(response.status.code) without a usable Location") }
                url = next.absoluteURL
                continue
            }
            guard response.status == .ok else { throw .notDownloaded("HTTP \(response.status.code) from \(url.host ?? "?")") }
            let blob = try await body(of: response, maxBytes: maxBytes, address: output.blobAddress)
            do { return try output.open(blob) } catch { throw .refused(error) }
        }
        throw .notDownloaded("more than \(maxRedirects) redirects")
    }

    /// The body, hashed as it arrives and cut off past `maxBytes`.
    static func body(of response: HTTPClientResponse, maxBytes: UInt64, address: String) async throws(OutputError) -> Data {
        var hasher = StreamingHasher()
        var data = Data()
        do {
            for try await chunk in response.body {
                hasher.update(chunk)
                guard UInt64(hasher.count) <= maxBytes else {
                    throw OutputError.altered("more than the \(maxBytes) bytes the result announced")
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as OutputError {
            throw error
        } catch {
            throw .notDownloaded("reading the body: \(error)")
        }
        let actual = hasher.finalize()
        guard actual == address else { throw .altered("expected \(address), got \(actual)") }
        return data
    }

    /// Fetches every output into the outcome, within `outputLimits`; each
    /// failure is a warning that names the output and what went wrong, never
    /// a lost job. Returns what the failures say about the worker.
    func download(_ outputs: [JobResult.Output], into outcome: inout JobOutcome) async -> [Finding] {
        var findings: [Finding] = []
        let deadline = ContinuousClock.now + outputLimits.deadline
        var left = outputLimits.totalBytes
        let check = dialCheck, redirects = outputLimits.maxRedirects
        for output in outputs {
            var item = DownloadedOutput(descriptor: output, data: nil)
            // The stored bytes: the ciphertext when encrypted.
            let announced = output.blobSize ?? output.size
            do throws(OutputError) {
                guard announced <= left else {
                    throw OutputError.overLimit("the outputs together are over \(outputLimits.totalBytes) bytes")
                }
                let data = try await Self.within(deadline) { () async throws(OutputError) -> Data in
                    try await Self.fetch(output, maxBytes: announced, dialCheck: check, maxRedirects: redirects)
                }
                left -= min(left, UInt64(data.count))
                item.data = Array(data)
                if output.encryption == nil {
                    outcome.warnings.append(
                        "output \(output.type) at \(output.url) was stored on Blossom in clear text, where anyone can read it: this worker does not encrypt its outputs"
                    )
                }
            } catch {
                outcome.warnings.append("output \(output.type) at \(output.url.prefix(200)) \(error)")
                if let finding = error.finding, !findings.contains(finding) { findings.append(finding) }
            }
            outcome.outputs.append(item)
        }
        let text =
            outcome.outputs.first { $0.descriptor.type.hasPrefix("text/") && $0.data != nil }
            ?? outcome.outputs.first { $0.data != nil && $0.descriptor.type != "application/json" }
        outcome.output = text?.data.map { String(decoding: $0, as: UTF8.self) }
        return findings
    }

    /// `body`'s answer, or `overLimit` once `deadline` passes. The download is
    /// then cancelled and left behind: a server that drips bytes must not hold
    /// the call (or its change) any longer, whether or not the transfer notices.
    static func within(
        _ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws(OutputError) -> Data
    ) async throws(OutputError) -> Data {
        let once = Once()
        let timer = TimerBox()
        let result: Result<Data, OutputError> = await withCheckedContinuation { continuation in
            let work = Task {
                let r: Result<Data, OutputError>
                do throws(OutputError) { r = .success(try await body()) } catch { r = .failure(error) }
                if once.claim() { continuation.resume(returning: r) }
            }
            timer.set(
                Task {
                    liveDeadlineTimers.add(1)
                    defer { liveDeadlineTimers.add(-1) }
                    try? await Task.sleep(until: deadline)
                    guard once.claim() else { return }
                    work.cancel()
                    continuation.resume(returning: .failure(.overLimit("the outputs' deadline passed")))
                })
        }
        // The download answered first: its timer must not sleep on to the
        // deadline (two minutes), one task held per call of a busy gateway.
        timer.cancel()
        return try result.get()
    }
}

/// Deadline timers of `within` still running (tests check none is left behind).
let liveDeadlineTimers = Counter()

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}

/// The timer of `within`, made inside the continuation and cancelled outside it.
final class TimerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    func set(_ task: Task<Void, Never>) { lock.withLock { self.task = task } }
    func cancel() { lock.withLock { task }?.cancel() }
}

/// True for the first caller only: which of two racers answers.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
