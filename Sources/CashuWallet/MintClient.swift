import AsyncHTTPClient
import Cashu
import Foundation
import LoomHTTP
import NIOCore
import NIOFoundationCompat
import NIOPosix

/// The mint's HTTP API (NUT-01..09). Stateless: it sends one request and
/// returns the typed answer or a `MintError`. Anything that must survive a
/// crash is written by the wallet before it calls here.
public struct MintClient: Sendable {
    public let url: String
    let http: HTTPClient
    let timeout: TimeAmount

    /// `url` is normalised (no trailing slash) so it compares equal to the
    /// same mint written in a token.
    public init(url: String, http: HTTPClient = MintClient.sharedHTTPClient, timeout: TimeAmount = MintClient.defaultTimeout) {
        self.url = MintClient.normalise(url)
        self.http = http
        self.timeout = timeout
    }

    public static let defaultTimeout: TimeAmount = .seconds(30)

    /// AsyncHTTPClient's shared client re-dials a refused connection until the
    /// request deadline (30 s for a mint that is down); this one fails at once,
    /// so a dead mint is reported as unreachable straight away (`LoomHTTP`).
    /// - connect 5 s: a mint is a small, nearby-enough API; a slow handshake is
    ///   a mint in trouble, and the request's own deadline (`timeout`) rules anyway;
    /// - no redirects: the mint URL is part of every token and must not change
    ///   under us (a swap answered by another host would be a swap at another mint);
    /// - decompression as `HTTPClient.shared` has it: answers are small JSON, and
    ///   a proxy in front of a mint may compress them.
    public static let sharedHTTPClient: HTTPClient = LoomHTTP.makeClient(
        connectTimeout: .seconds(5), redirects: .disallow, decompression: .enabled(limit: .ratio(25)))

    static func neverConnected(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let e = error as? HTTPClientError, e == .connectTimeout { return true }
        if let e = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(e.errnoCode) { return true }
        return false
    }

    public static func normalise(_ url: String) -> String {
        var u = url.trimmingCharacters(in: .whitespaces)
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }

    // MARK: NUT-06, NUT-01, NUT-02

    public func info() async throws(MintError) -> MintInfo { try await get("/v1/info") }

    public func keysets() async throws(MintError) -> [KeysetInfo] {
        let r: KeysetsResponse = try await get("/v1/keysets")
        return r.keysets
    }

    /// Keys of one keyset, checked against its id (NUT-02) so a mint cannot
    /// swap keys under a known id.
    public func keys(for id: KeysetID) async throws(MintError) -> Keyset {
        let r: KeysResponse = try await get("/v1/keys/\(id.hex)")
        guard let ks = r.keysets.first(where: { $0.id == id }) else {
            throw .malformedResponse("keys for \(id.hex) not in the answer")
        }
        do { try ks.verifyID() } catch { throw .malformedResponse("keyset \(id.hex): \(error)") }
        return ks
    }

    // MARK: NUT-03

    public func swap(inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature] {
        let r: SignaturesResponse = try await post("/v1/swap", SwapRequest(inputs: inputs, outputs: outputs))
        guard r.signatures.count == outputs.count else {
            // The mint acted (it answered 2xx), but not in a way we can use:
            // only NUT-09 can tell what it signed.
            throw .unreadableAnswer("swap returned \(r.signatures.count) signatures for \(outputs.count) outputs")
        }
        return r.signatures
    }

    // MARK: NUT-04

    public func mintQuote(amount: Amount, unit: CurrencyUnit) async throws(MintError) -> MintQuote {
        try await post("/v1/mint/quote/bolt11", MintQuoteRequest(amount: amount, unit: unit))
    }

    public func mintQuoteState(_ quote: String) async throws(MintError) -> MintQuote {
        try await get("/v1/mint/quote/bolt11/\(quote)")
    }

    public func mint(quote: String, outputs: [BlindedMessage]) async throws(MintError) -> [BlindSignature] {
        let r: SignaturesResponse = try await post("/v1/mint/bolt11", MintRequest(quote: quote, outputs: outputs))
        guard r.signatures.count == outputs.count else {
            throw .unreadableAnswer("mint returned \(r.signatures.count) signatures for \(outputs.count) outputs")
        }
        return r.signatures
    }

    // MARK: NUT-05, NUT-08

    public func meltQuote(request: String, unit: CurrencyUnit) async throws(MintError) -> MeltQuote {
        try await post("/v1/melt/quote/bolt11", MeltQuoteRequest(request: request, unit: unit))
    }

    public func meltQuoteState(_ quote: String) async throws(MintError) -> MeltQuote {
        try await get("/v1/melt/quote/bolt11/\(quote)")
    }

    /// `outputs` are blank outputs for the NUT-08 fee return.
    public func melt(quote: String, inputs: [Proof], outputs: [BlindedMessage]) async throws(MintError) -> MeltQuote {
        try await post("/v1/melt/bolt11", MeltRequest(quote: quote, inputs: inputs, outputs: outputs.isEmpty ? nil : outputs))
    }

    // MARK: NUT-07, NUT-09

    public func checkState(Ys: [String]) async throws(MintError) -> [ProofState] {
        let r: CheckStateResponse = try await post("/v1/checkstate", CheckStateRequest(Ys: Ys))
        return r.states
    }

    public func restore(outputs: [BlindedMessage]) async throws(MintError) -> RestoreResponse {
        try await post("/v1/restore", RestoreRequest(outputs: outputs))
    }

    // MARK: transport

    func get<R: Decodable>(_ path: String) async throws(MintError) -> R {
        try await send(HTTPClientRequest(url: url + path))
    }

    func post<B: Encodable, R: Decodable>(_ path: String, _ body: B) async throws(MintError) -> R {
        var req = HTTPClientRequest(url: url + path)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        do {
            req.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        } catch {
            throw .malformedResponse("cannot encode request: \(error)")
        }
        return try await send(req)
    }

    func send<R: Decodable>(_ request: HTTPClientRequest) async throws(MintError) -> R {
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            // A connection that never opened carried no request: nothing to recover.
            if MintClient.neverConnected(error) { throw .unreachable(String(describing: error)) }
            throw .transport(String(describing: error))
        }
        guard (200..<300).contains(status) else {
            let parsed = try? JSONDecoder().decode(MintErrorBody.self, from: body)
            let detail = parsed?.detail ?? String(buffer: body).prefix(300).description
            throw MintError(status: status, code: parsed?.code, detail: detail)
        }
        do {
            return try JSONDecoder().decode(R.self, from: body)
        } catch {
            // A 2xx is the mint saying it did the work; an answer we cannot
            // read does not say it did not.
            throw .unreadableAnswer("\(R.self): \(error)")
        }
    }
}
