import AsyncHTTPClient
import CashuWallet
import Foundation
import Hummingbird
import LoomClient
import LoomTestFixtures
import NIOCore
import NIOHTTP1
import NostrRelay
import Secp256k1
import Testing

@testable import LoomGateway

/// A web page the user visits must not spend the wallet: the guard's rules as
/// tables, then the gateway's own router in process (`GatewayServer.makeApplication`).
struct RequestGuardTests {
    @Test func contentTypesThatAreJSON() {
        let table: [(String?, Bool)] = [
            ("application/json", true), ("application/json; charset=utf-8", true), ("Application/JSON;charset=UTF-8", true),
            (" application/json ", true),
            ("text/plain", false), ("text/plain; application/json", false), ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false), ("application/jsonx", false), ("application/json, text/plain", false),
            ("", false), (nil, false),
        ]
        for (type, json) in table { #expect(RequestGuard.isJSON(type) == json, "\(type ?? "nil")") }
    }

    @Test func allowedOriginsAreSpelledAsBrowsersSendThem() {
        let table: [(String, String?)] = [
            ("http://localhost:3000", "http://localhost:3000"), ("HTTP://LocalHost:3000/", "http://localhost:3000"),
            ("https://app.example:443", "https://app.example"), ("http://127.0.0.1:80", "http://127.0.0.1"),
            ("http://[::1]:5173", "http://[::1]:5173"), ("http://app.example:8080", "http://app.example:8080"),
            ("chrome-extension://abcdef", "chrome-extension://abcdef"),
            ("null", nil), ("*", nil), ("localhost:3000", nil), ("http://", nil), ("http://a.example/path", nil),
            ("http://u@a.example", nil), ("http://a.example?q", nil), ("://a.example", nil),
        ]
        for (text, origin) in table { #expect(GatewayConfiguration.origin(text) == origin, "\(text)") }
    }

    @Test func refusalsComeInOrderHostOriginContentType() {
        let allowed: Set = ["http://localhost:3000"]
        let json = "application/json", local = "127.0.0.1:8080", page = "http://localhost:3000"
        // (method, Host, Origin, Content-Type, protected by an API key) → status, nil when it passes.
        let table: [(HTTPRequest.Method, String?, String?, String?, Bool, Int?)] = [
            (.post, local, nil, json, false, nil),
            (.get, local, nil, nil, false, nil),
            (.post, local, page, json, false, nil),
            (.options, local, page, nil, false, nil),
            (.post, local, nil, "text/plain", false, 415),
            (.post, local, nil, nil, false, 415),
            (.post, local, page, "text/plain", false, 415),
            (.post, local, "http://evil.example", "text/plain", false, 403),
            (.post, local, "http://evil.example", json, false, 403),
            (.options, local, "http://evil.example", nil, false, 403),
            (.post, local, "null", json, false, 403),
            (.post, local, "http://localhost:3001", json, false, 403),
            (.post, "evil.example:8080", nil, json, false, 403),
            (.post, "evil.example:8080", page, json, false, 403),
            (.get, nil, nil, nil, false, 403),
            (.post, "gateway.lan:8080", nil, json, true, nil),
            (.post, "gateway.lan:8080", "http://evil.example", json, true, 403),
            (.post, "gateway.lan:8080", nil, "text/plain", true, 415),
        ]
        for (method, host, origin, type, anyHost, status) in table {
            let refusal = RequestGuard.refusal(
                method: method, host: host, origin: origin, contentType: type, anyHost: anyHost, allowedOrigins: allowed)
            #expect(refusal?.status == status, "\(method) Host \(host ?? "-") Origin \(origin ?? "-") \(type ?? "-")")
        }
        let rebound = RequestGuard.refusal(
            method: .get, host: "evil.example", origin: nil, contentType: nil, anyHost: false, allowedOrigins: [])
        #expect(rebound?.code == "forbidden" && rebound?.message.contains("--api-key") == true)
        let foreign = RequestGuard.refusal(
            method: .post, host: local, origin: "http://evil.example", contentType: json, anyHost: false,
            allowedOrigins: [])
        #expect(foreign?.message.contains("--allow-origin http://evil.example") == true)
        let text = RequestGuard.refusal(
            method: .post, host: local, origin: nil, contentType: "text/plain", anyHost: false, allowedOrigins: [])
        #expect(text?.code == "unsupported_media_type" && text?.type == "invalid_request_error")
    }
}

/// The router as `loom gateway` serves it, in process on port 0, with an engine
/// that has no relays and a wallet whose mint is never reached: what passes the
/// guard gets the engine's own answer (no worker serves the model), nothing more.
extension RequestGuardTests {
    static let page = "http://localhost:3000"

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        var code: String? {
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return (object?["error"] as? [String: Any])?["code"] as? String
        }
    }

    /// Runs `body` against a gateway with `configuration` (port 0), then stops it and awaits its end.
    func withGateway(
        _ configuration: GatewayConfiguration, _ body: (_ send: Send) async throws -> Void
    ) async throws {
        let directory = temporaryDirectory("gateway")
        defer { try? FileManager.default.removeItem(at: directory) }
        let wallet = try Wallet(
            store: try WalletStore(path: directory.appendingPathComponent("wallet.sqlite").path),
            mintURL: "http://127.0.0.1:1")
        defer { wallet.close() }
        let journal = try ClientJournal(dataDirectory: directory)
        let client = JobClient(key: .generate(), pool: try RelayPool(urls: []), journal: journal, wallet: wallet)
        let server = GatewayServer(
            engine: GatewayEngine(client: client, wallet: wallet, configuration: configuration, logger: quietLogger),
            logger: quietLogger)
        // Its own client, shut down before the server stops: no connection is left for the teardown to race.
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withApplication({ server.makeApplication(onRunning: $0) }) { port in
                try await body(Send(http: http, port: port))
                try await http.shutdown()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        #expect(journal.all().isEmpty, "nothing was paid or journaled")
    }

    struct Send: Sendable {
        let http: HTTPClient
        let port: Int

        func callAsFunction(
            _ method: HTTPMethod, _ path: String = "/v1/chat/completions", headers: [String: String] = [:],
            body: String? = nil
        ) async throws -> Answer {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await http.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            var fields: [String: String] = [:]
            for header in response.headers { fields[header.name.lowercased()] = header.value }
            return Answer(status: Int(response.status.code), headers: fields, body: text)
        }
    }

    static let call = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#

    /// A peer that connects and sends nothing, stops half-way through its
    /// headers, or stops in its body is cut off after the idle timeout: a
    /// page or a script cannot hold the gateway's sockets open for free.
    @Test func idleAndStalledConnectionsAreClosed() async throws {
        var configuration = GatewayConfiguration(port: 0)
        configuration.idleTimeoutSeconds = 1
        try await withGateway(configuration) { send in
            let head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            for (label, opening) in [
                ("nothing sent", ""), ("headers cut off", head), ("body cut off", head + "Content-Length: 100\r\n\r\n{\"mo"),
            ] {
                let port = send.port
                let closed = try await Task.detached { try RawConnection.closedByPeer(port: port, after: opening) }.value
                #expect(closed, "\(label): the gateway kept the connection open")
            }
        }
    }

    /// A body dripped in a byte at a time stays "active" to the idle timeout:
    /// the body's own deadline answers 400 instead of waiting for it.
    @Test func aTricklingBodyIsRefusedAtItsDeadline() async throws {
        var configuration = GatewayConfiguration(port: 0)
        configuration.bodyTimeoutSeconds = 1
        try await withGateway(configuration) { send in
            let port = send.port
            let answer = try await Task.detached { try RawConnection.trickle(port: port, bodyBytes: 100, seconds: 8) }.value
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains("did not arrive in full"))
        }
    }

    @Test func webPagesAreRefusedBeforeTheEngine() async throws {
        try await withGateway(GatewayConfiguration(port: 0, allowedOrigins: [Self.page])) { send in
            // A "simple" request: what any page can send with fetch(no-cors) or a form, without a preflight.
            let simple = try await send(.POST, headers: ["content-type": "text/plain"], body: Self.call)
            #expect(simple.status == 415 && simple.code == "unsupported_media_type")
            let foreign = try await send(
                .POST, headers: ["content-type": "text/plain", "origin": "http://evil.example"], body: Self.call)
            #expect(foreign.status == 403 && foreign.code == "forbidden")
            #expect(foreign.headers["access-control-allow-origin"] == nil)
            let form = try await send(
                .POST, headers: ["content-type": "application/x-www-form-urlencoded", "origin": "http://evil.example"],
                body: "a=1")
            #expect(form.status == 403)
            let rebound = try await send(
                .POST, headers: ["content-type": "application/json", "host": "evil.example:8080"], body: Self.call)
            #expect(rebound.status == 403 && rebound.code == "forbidden" && rebound.body.contains("\"param\":null"))
            let models = try await send(.GET, "/v1/models", headers: ["host": "evil.example"])
            #expect(models.status == 403)
            let preflight = try await send(
                .OPTIONS,
                headers: [
                    "origin": "http://evil.example", "access-control-request-method": "POST",
                    "access-control-request-headers": "content-type",
                ])
            #expect(preflight.status == 403 && preflight.headers["access-control-allow-origin"] == nil)
        }
    }

    @Test func allowedPagesGetCORSAnswersAndRequestsWithoutOriginPass() async throws {
        try await withGateway(GatewayConfiguration(port: 0, allowedOrigins: [Self.page])) { send in
            let preflight = try await send(
                .OPTIONS,
                headers: [
                    "origin": Self.page, "access-control-request-method": "POST",
                    "access-control-request-headers": "content-type, authorization",
                ])
            #expect(preflight.status == 204)
            #expect(preflight.headers["access-control-allow-origin"] == Self.page)
            #expect(preflight.headers["vary"] == "Origin")
            #expect(preflight.headers["access-control-allow-methods"] == "GET, POST")
            #expect(preflight.headers["access-control-allow-headers"] == "Authorization, Content-Type, X-Loom-Worker")
            // Through the guard to the engine, which has no worker for the model: its answer, readable by the page.
            let call = try await send(
                .POST, headers: ["content-type": "application/json; charset=utf-8", "origin": Self.page], body: Self.call)
            #expect(call.status != 403 && call.status != 415, "\(call.status) \(call.body)")
            #expect(call.code != nil)
            #expect(call.headers["access-control-allow-origin"] == Self.page && call.headers["vary"] == "Origin")
            #expect(call.headers["access-control-expose-headers"]?.contains("X-Loom-Cost-Sat") == true)
            let wrongType = try await send(.POST, headers: ["content-type": "text/plain", "origin": Self.page], body: "x")
            #expect(wrongType.status == 415 && wrongType.headers["access-control-allow-origin"] == Self.page)
            // SDKs and curl send no Origin: they pass, and get no CORS headers.
            let sdk = try await send(.POST, headers: ["content-type": "application/json"], body: "{")
            #expect(sdk.status == 400 && sdk.code == "invalid_request")
            #expect(sdk.headers["access-control-allow-origin"] == nil)
            let localhost = try await send(.GET, "/v1/nowhere", headers: ["host": "localhost:8080"])
            #expect(localhost.status == 404 && localhost.code == "not_found")
        }
    }

    @Test func anAPIKeyServesAnyHostButNoForeignPage() async throws {
        try await withGateway(GatewayConfiguration(port: 0, apiKey: "k", allowedOrigins: [Self.page])) { send in
            let key = ["authorization": "Bearer k", "host": "gateway.lan:8080"]
            let named = try await send(.GET, "/v1/nowhere", headers: key)
            #expect(named.status == 404 && named.code == "not_found")
            let foreign = try await send(
                .POST, headers: key.merging(["content-type": "application/json", "origin": "http://evil.example"]) { a, _ in a },
                body: Self.call)
            #expect(foreign.status == 403 && foreign.code == "forbidden")
            // A preflight carries no credentials: the guard answers it before the key check would refuse it.
            let preflight = try await send(
                .OPTIONS, headers: ["origin": Self.page, "host": "gateway.lan:8080", "access-control-request-method": "POST"])
            #expect(preflight.status == 204 && preflight.headers["access-control-allow-origin"] == Self.page)
            let keyless = try await send(.POST, headers: ["origin": Self.page, "content-type": "application/json"], body: "{")
            #expect(keyless.status == 401 && keyless.headers["access-control-allow-origin"] == Self.page)
        }
    }
}

/// A plain TCP connection, to behave as no HTTP client would.
enum RawConnection {
    /// Sends a chat call's headers announcing `bodyBytes`, then one byte of
    /// the body every 200 ms for up to `seconds`; returns what the server
    /// answered meanwhile (empty if nothing).
    static func trickle(port: Int, bodyBytes: Int, seconds: Int) throws -> String {
        let fd = try connected(port: port, readTimeout: timeval(tv_sec: 0, tv_usec: 200_000))
        defer { close(fd) }
        let head = Array(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(bodyBytes)\r\n\r\n"
                .utf8)
        _ = head.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 1024)
        #if canImport(Glibc)
            let noSignal = Int32(MSG_NOSIGNAL)  // a closed socket answers EPIPE, not SIGPIPE
        #else
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            let noSignal: Int32 = 0
        #endif
        for _ in 0..<min(seconds * 5, bodyBytes - 1) {
            var byte: UInt8 = 0x20
            if answer.isEmpty { _ = send(fd, &byte, 1, noSignal) }
            let n = read(fd, &buffer, buffer.count)  // waits up to 200 ms
            if n > 0 { answer += buffer[0..<n] } else if n == 0 || !answer.isEmpty { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// A socket connected to loopback `port`, reads timing out after `readTimeout`.
    static func connected(port: Int, readTimeout: timeval) throws -> Int32 {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = readTimeout
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Connects to loopback `port`, writes `opening` and reads until the peer
    /// closes (true) or 20 s pass without it (false). Blocking: run it off the
    /// test's executor.
    static func closedByPeer(port: Int, after opening: String) throws -> Bool {
        let fd = try connected(port: port, readTimeout: timeval(tv_sec: 20, tv_usec: 0))
        defer { close(fd) }
        let bytes = Array(opening.utf8)
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return true }  // closed (after whatever answer it sent)
            if n < 0 { return false }  // the 20 s passed
        }
    }
}
