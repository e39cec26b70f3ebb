import Blossom
import BlossomServer
import Cashu
import CashuWallet
import Foundation
import Hummingbird
import Logging
import LoomClient
import LoomProtocol
import LoomTestFixtures
import LoomTestSupport
import NostrRelay
import Secp256k1

/// A wallet at `mint` in its own directory, funded by the FakeWallet mint.
func fundedWallet(_ mint: TestServer, _ amount: UInt64, directory: URL, lockKey: SecretKey? = nil) async throws -> Wallet {
    let store = try WalletStore(path: directory.appendingPathComponent("wallet.sqlite").path)
    let wallet = try Wallet(store: store, mintURL: mint.httpURL, lockKey: lockKey)
    if amount > 0 {
        let quote = try await wallet.requestMint(Amount(amount))
        _ = try await wallet.mint(quote: quote.quote, amount: Amount(amount))
    }
    return wallet
}

/// A client with its own key, journal and wallet (funded with `sats`).
func makeClient(relay: TestRelay, mint: TestServer, sats: UInt64) async throws -> JobClient {
    let dir = temporaryDirectory("client")
    let key = SecretKey.generate()
    let wallet = try await fundedWallet(mint, sats, directory: dir, lockKey: key)
    return JobClient(
        key: key, pool: try RelayPool(urls: [relay.url]), journal: try ClientJournal(dataDirectory: dir), wallet: wallet)
}

/// Runs `body` with an in-process Blossom server on a free loopback port,
/// stopped gracefully afterwards (LoomTestFixtures.InProcessServer says why).
func withBlossomServer<T: Sendable>(_ body: (URL) async throws -> T) async throws -> T {
    let dir = temporaryDirectory("blossom")
    defer { try? FileManager.default.removeItem(at: dir) }
    let server = try BlossomServer(configuration: BlossomServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: dir.path))
    return try await withApplication({ server.makeApplication(logger: quietLogger, onRunning: $0) }) { port in
        try await body(URL(string: "http://127.0.0.1:\(port)")!)
    }
}

/// Polls `condition` until it holds or `limit` passes; the caller asserts afterwards.
func eventually(_ limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try? await Task.sleep(for: .milliseconds(100))
    }
}
