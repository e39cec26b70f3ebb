import Cashu
import CashuWallet
import Crypto
import Foundation
import LoomJSON
import LoomProtocol
import LoomTestSupport
import Nostr
import NostrRelay
import Secp256k1

/// One planned job as its client prepared it before the chaos: the token is
/// made and the request sealed up front, so every id and proof is known.
struct Ticket: Sendable, CustomStringConvertible {
    let job: ChaosPlan.Job
    let key: SecretKey
    let token: String
    let request: Event
    /// NUT-07 Ys of the payment's proofs.
    let ys: [String]
    /// sha256(secret)[:16] of each payment proof, as the proxy logs swap inputs.
    let fingerprints: [String]
    var id: String { request.id }
    var label: String { "job \(job.label) (\(job.client.rawValue), \(job.amount) sat, \(id.prefix(8)))" }
    /// The label only: the token is bearer money and stays out of any message.
    var description: String { label }
}

/// sha256(secret)[:16]: how the proxy names a proof without logging its secret.
func fingerprint(_ secret: String) -> String {
    String(SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16))
}

/// The three clients: wallets on the proxy's URL (tokens name the mint the
/// worker accepts), a relay connection each, and carol's second wallet that
/// goes to the mint directly, so her own spends are never faulted and their
/// outcome is known.
final class ChaosClients: @unchecked Sendable {
    let keys: [ChaosPlan.Client: SecretKey]
    let wallets: [ChaosPlan.Client: Wallet]
    let pools: [ChaosPlan.Client: RelayPool]
    let carolDirect: Wallet
    let directMint: String
    private(set) var tickets: [Ticket] = []

    static let model = "llama3.2:latest"

    init(stack: ChaosStack) async throws {
        var keys: [ChaosPlan.Client: SecretKey] = [:], wallets: [ChaosPlan.Client: Wallet] = [:],
            pools: [ChaosPlan.Client: RelayPool] = [:]
        let home = stack.root.appendingPathComponent("clients")
        for client in ChaosPlan.Client.allCases {
            let key = SecretKey.generate()
            let dir = home.appendingPathComponent(client.rawValue)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            keys[client] = key
            wallets[client] = try Wallet(
                store: WalletStore(path: dir.appendingPathComponent("wallet.sqlite").path),
                mintURL: stack.proxy.url, lockKey: key)
            let pool = try RelayPool(urls: [stack.relay.url])
            await pool.connect()
            pools[client] = pool
        }
        self.keys = keys
        self.wallets = wallets
        self.pools = pools
        directMint = stack.mint.httpURL
        carolDirect = try Wallet(
            store: WalletStore(path: home.appendingPathComponent("carol-direct.sqlite").path),
            mintURL: stack.mint.httpURL, lockKey: keys[.carol])
    }

    /// Mints each client's money and makes every payment token (faults must be off).
    func prepare(_ plan: ChaosPlan, worker: XOnlyPublicKey) async throws {
        let made = try await withThrowingTaskGroup(of: [Ticket].self) { group in
            for client in ChaosPlan.Client.allCases {
                let jobs = plan.jobs.filter { $0.client == client }
                let (wallet, key) = (wallets[client]!, keys[client]!)
                group.addTask {
                    // Each token's own swap costs a fee; 3 sat a job covers it.
                    let total = jobs.reduce(UInt64(10)) { $0 + $1.amount + 3 }
                    let quote = try await wallet.requestMint(Amount(total))
                    _ = try await wallet.mint(quote: quote.quote, amount: Amount(total))
                    var tickets: [Ticket] = []
                    for job in jobs {
                        let lock = P2PKConditions(
                            data: worker.evenPublicKey, locktime: UInt64(Event.now() + 3600), refundKeys: [key.publicKey])
                        let token =
                            job.locked
                            ? try await wallet.send(Amount(job.amount), lock: lock).token
                            : try await wallet.send(Amount(job.amount)).token
                        let proofs = try Token.decode(token).proofs
                        let request = JobRequest(
                            model: Self.model, input: .prompt("chaos job \(job.label)"),
                            options: ["num_predict": .int(job.numPredict)], payment: token,
                            maxSeconds: job.maxSeconds, lockChange: job.lockChange)
                        tickets.append(
                            Ticket(
                                job: job, key: key, token: token, request: try request.seal(from: key, to: worker),
                                ys: try proofs.map { try $0.Y().hex }, fingerprints: proofs.map { fingerprint($0.secret) }))
                    }
                    return tickets
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        tickets = made.sorted { $0.job.index < $1.job.index }
    }

    func submit(_ ticket: Ticket) async throws {
        _ = try await pools[ticket.job.client]!.publish(ticket.request)
    }

    func cancel(_ ticket: Ticket, worker: String) async throws {
        let event = try JobCancel.sign(requestID: ticket.id, worker: worker, reason: "chaos", with: ticket.key)
        _ = try await pools[ticket.job.client]!.publish(event)
    }

    /// Carol swaps the token she also sent to the worker, at the mint itself.
    /// Returns what the mint said; `spentByClient` decides the outcome at the end.
    func spendItself(_ ticket: Ticket) async -> String {
        do {
            var token = try Token.decode(ticket.token)
            token.mint = directMint
            let received = try await carolDirect.receive(try token.serializedV4(), reference: ticket.id)
            return "carol swapped it herself (\(received.received) sat kept)"
        } catch {
            return "carol's own swap failed: \(error)"
        }
    }

    /// Whether carol's own swap of this ticket went through, from her wallet's
    /// journal after settling anything left open. nil: her wallet cannot tell.
    func spentByClient(_ ticket: Ticket) async -> Bool? {
        guard ticket.job.doubleSpendAt != nil else { return false }
        _ = try? await carolDirect.recover()
        switch try? await carolDirect.receipt(reference: ticket.id) {
        case .taken?: return true
        case .none?, .refused?, .spentElsewhere?: return false
        case .open?, nil: return nil
        }
    }

    func close() async {
        for pool in pools.values { await pool.close() }
    }
}
