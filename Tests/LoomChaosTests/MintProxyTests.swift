import Cashu
import CashuWallet
import Foundation
import LoomTestSupport
import NIOCore
import Testing

extension ChaosSuites {
    /// The fault proxy itself: each decision does what it says to the client
    /// and to the mint, and a seed replays the same decisions.
    @Suite struct MintProxyTests {
        let mint: TestServer
        let proxy: MintProxy
        let wallet: Wallet
        let log: URL

        init() async throws {
            mint = try await TestMint.start(inputFeePpk: 0)
            log = FileManager.default.temporaryDirectory.appendingPathComponent("mint-proxy-\(UUID().uuidString.prefix(8)).log")
            proxy = try await MintProxy(
                upstream: mint.httpURL, seed: 7, rates: .init(), delaySeconds: 2, outageSeconds: 2, log: log)
            let store = try WalletStore(path: mint.directory.appendingPathComponent("client.sqlite").path)
            wallet = try Wallet(store: store, mintURL: proxy.url)
            let quote = try await wallet.requestMint(200)
            _ = try await wallet.mint(quote: quote.quote, amount: 200)
        }

        /// Makes fresh proofs worth `amount` (faults off), then swaps them
        /// through the proxy under `fault` (1 s client timeout). Returns the
        /// client's error, if any, and the inputs' state at the mint itself.
        func swap(_ amount: Amount, under fault: String) async throws -> (MintError?, ProofState.State, [String]) {
            try await proxy.setFaults(enabled: false)
            let proofs = try Token.decode(try await wallet.send(amount).token).proofs
            let outputs = amount.split().map { BlindingData.random(amount: $0, keysetID: proofs[0].id).message }
            try await proxy.setFaults(enabled: true, force: fault)
            var failure: MintError?
            do {
                let signatures = try await MintClient(url: proxy.url, timeout: .seconds(1)).swap(inputs: proofs, outputs: outputs)
                #expect(signatures.count == outputs.count)
            } catch { failure = error }
            try await proxy.setFaults(enabled: false)
            let ys = try proofs.map { try $0.Y().hex }
            return (failure, try await mintState(ys), ys)
        }

        /// The inputs' state at the mint itself: all of them, or none, are spent.
        func mintState(_ ys: [String]) async throws -> ProofState.State {
            let states = try await MintClient(url: mint.httpURL).checkState(Ys: ys)
            #expect(Set(states.map(\.state)).count == 1, "one swap spends all its inputs or none")
            return states[0].state
        }

        static func isTransport(_ e: MintError?) -> Bool { if case .transport = e { true } else { false } }

        @Test func eachFaultDoesWhatItSays() async throws {
            var (error, state, ys) = try await swap(4, under: "pass")
            #expect(error == nil && state == .spent)

            (error, state, _) = try await swap(4, under: "drop")
            #expect(Self.isTransport(error), "dropped: \(String(describing: error))")
            #expect(state == .spent, "the mint acted on a dropped request")

            (error, state, _) = try await swap(4, under: "error")
            if case .other(let status, _, _) = error {
                #expect(status >= 500)
            } else {
                Issue.record("5xx expected: \(String(describing: error))")
            }
            #expect(state == .unspent, "a 5xx from the proxy never reached the mint")

            (error, state, _) = try await swap(4, under: "delay")
            #expect(Self.isTransport(error), "timed out: \(String(describing: error))")
            #expect(state == .spent)

            (error, state, ys) = try await swap(4, under: "stall")
            #expect(Self.isTransport(error) && state == .unspent, "stalled: the client gave up before the mint saw it")
            var reached = false
            for _ in 0..<100 where !reached {
                try await Task.sleep(for: .milliseconds(100))
                reached = try await mintState(ys) == .spent
            }
            #expect(reached, "then the stalled request reached the mint")

            for _ in 0..<4 {
                (error, state, _) = try await swap(2, under: "garbage")
                // Issue 10, defect 4: junk, a truncated body or a signature
                // list of the wrong length in a 2xx is an unknown outcome, not a refusal.
                if case .unreadableAnswer = error {
                } else {
                    Issue.record("unreadable 200 expected: \(String(describing: error))")
                }
                #expect(error?.outcomeUnknown == true)
                #expect(state == .spent, "a garbled 200 still means the mint acted")
            }

            (error, state, _) = try await swap(4, under: "outage")
            #expect(error != nil && state == .unspent, "the request that starts an outage is not forwarded")
            do {
                _ = try await MintClient(url: proxy.url).keysets()
                Issue.record("the proxy answered during its outage")
            } catch {
                if case .unreachable = error {} else { Issue.record("connection refused expected: \(error)") }
            }
            var back = false
            for _ in 0..<50 where !back {
                try await Task.sleep(for: .milliseconds(100))
                back = (try? await MintClient(url: proxy.url).keysets()) != nil
            }
            #expect(back, "the proxy comes back after its outage")

            let logged = try proxy.decisions()
            for mode in ["pass", "drop", "error", "delay", "stall", "garbage", "outage"] {
                #expect(logged.contains { $0.decision == mode && $0.n != nil }, "\(mode) is logged")
            }
            #expect(logged.contains { $0.event == "outage-over" })
        }

        /// Same seed, same decisions, request by request; another seed differs.
        @Test func aSeedReplaysItsDecisions() async throws {
            func decisions(seed: UInt64) async throws -> [String] {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "mint-proxy-\(UUID().uuidString.prefix(8)).log")
                let p = try await MintProxy(
                    upstream: mint.httpURL, seed: seed, rates: .init(drop: 0.2, error: 0.2, garbage: 0.2),
                    getFactor: 1, log: file, enabled: true)
                for _ in 0..<30 { _ = try? await MintClient(url: p.url).keysets() }
                return try p.decisions().filter { $0.n != nil }.map { "\($0.n!):\($0.decision!)" }
            }
            let first = try await decisions(seed: 42)
            #expect(first.count == 30)
            #expect(
                Set(first.map { $0.split(separator: ":")[1] }).count == 4, "all of pass, drop, error, garbage occur: \(first)")
            #expect(try await decisions(seed: 42) == first)
            #expect(try await decisions(seed: 43) != first)
        }
    }
}
