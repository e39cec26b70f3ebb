import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `scripts/mint_proxy.py` in front of a real mint: forwards, drops answers,
/// answers 5xx, delays past the client's timeout, garbles 2xx bodies, or goes
/// down, by a plan seeded with `seed` (docs/TESTING.md, "Chaos").
///
/// Tokens carry their mint's URL, so wallets that must accept each other's
/// tokens all use `url` (the proxy's); switch faults off (`setFaults`) around
/// setup and verification.
public final class MintProxy: Sendable {
    public struct Rates: Sendable, Codable {
        public var drop, error, delay, stall, garbage, outage: Double
        public init(
            drop: Double = 0, error: Double = 0, delay: Double = 0, stall: Double = 0, garbage: Double = 0, outage: Double = 0
        ) {
            self.drop = drop
            self.error = error
            self.delay = delay
            self.stall = stall
            self.garbage = garbage
            self.outage = outage
        }
    }

    /// One line of the decision log.
    public struct Decision: Sendable, Decodable {
        public let seq: Int?
        public let n: Int?
        public let method: String?
        public let path: String?
        public let decision: String?
        public let event: String?
        public let garbage: String?
        public let status: Int?
        /// sha256(secret)[:16] of each input of a swap or melt.
        public let inputs: [String]?
        /// The first 16 characters of each Y a checkstate asked about.
        public let ys: [String]?
        /// The first 16 characters of each output's B_ (swap, restore, mint, melt).
        public let outputs: [String]?
        public let time: Double
    }

    public let server: TestServer
    public let controlPort: Int
    public let log: URL
    public var url: String { "http://127.0.0.1:\(server.port)" }

    /// `getFactor` scales the rates for GETs (keys, keysets, info).
    public init(
        upstream: String, seed: UInt64, rates: Rates, getFactor: Double = 0.25, delaySeconds: Double = 35,
        outageSeconds: Double = 3, log: URL, enabled: Bool = false
    ) async throws {
        controlPort = try TestServer.unusedPort()
        self.log = log
        let script = TestServer.packageRoot.appendingPathComponent("scripts/mint_proxy.py").path
        let arguments =
            [
                "python3", script, "--port", "{port}", "--control-port", String(controlPort), "--upstream", upstream,
                "--seed", String(seed), "--log", log.path, "--get-factor", String(getFactor),
                "--delay-seconds", String(delaySeconds), "--outage-seconds", String(outageSeconds),
                "--drop", String(rates.drop), "--error", String(rates.error), "--delay", String(rates.delay), "--stall",
                String(rates.stall),
                "--garbage", String(rates.garbage), "--outage", String(rates.outage),
            ] + (enabled ? ["--enabled"] : [])
        server = try await TestServer(
            name: "mint-proxy", executable: "/usr/bin/env", arguments: arguments, startTimeout: .seconds(30))
    }

    /// Faults on or off; `force` makes every request get that one decision
    /// (`pass`, `drop`, `error`, `delay`, `stall`, `garbage`, `outage`), nil = the seeded plan.
    public func setFaults(enabled: Bool, force: String? = nil, delaySeconds: Double? = nil) async throws {
        var body: [String: Any] = ["enabled": enabled, "force": force ?? NSNull()]
        if let delaySeconds { body["delay_seconds"] = delaySeconds }
        _ = try await control("POST", "/faults", body: body)
    }

    /// Refuses connections for `seconds` from now.
    public func outage(seconds: Double) async throws {
        _ = try await control("POST", "/outage", body: ["seconds": seconds])
    }

    /// Paths of the requests (stalled) or answers (delayed) being held back now.
    public func heldPaths() async throws -> [String] {
        let stats = try await control("GET", "/stats", body: nil)
        return (stats["inflight"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    /// Every decision so far, in log order.
    public func decisions() throws -> [Decision] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(Decision.self, from: Data($0.utf8)) }
    }

    private func control(_ method: String, _ path: String, body: [String: Any]?) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(controlPort)\(path)")!)
        request.httpMethod = method
        request.httpBody = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    let text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                    return continuation.resume(throwing: TestServer.Failure(description: "mint proxy \(path): \(text)"))
                }
                continuation.resume(returning: data ?? Data())
            }.resume()
        }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
