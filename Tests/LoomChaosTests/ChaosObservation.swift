import Cashu
import CashuWallet
import Foundation
import GRDB
import LoomProtocol
import LoomWorker
import Nostr
import NostrRelay
import Secp256k1

/// Everything the run left behind, read once the worker has stopped: the
/// relay's statuses and results, the worker's journal and wallet database,
/// and the mint's own view (NUT-07) of every proof the run ever issued.
struct Observation {
    struct Result {
        let eventID: String
        let opened: ReceivedResult?
        /// Why the event could not be opened as a result (bad bill, change that does not match, …).
        let unreadable: String?
    }

    struct WalletProof {
        let secret: String
        let amount: UInt64
        let state: String
        let operationID: String?
        let y: String
    }

    /// An output the wallet journaled before asking the mint to sign it.
    struct WalletOutput {
        let operationID: String
        let role: String
        let secret: String
        let y: String
        let message: BlindedMessage
    }

    struct WalletOperation {
        let id: String
        let kind: String
        let state: String
        let amount: UInt64
        let fee: UInt64
        let memo: String?
        let token: String?
        let error: String?
    }

    /// Distinct kind-5101 events from the worker, by request id.
    var results: [String: [Result]] = [:]
    /// The newest status of each job on the relay.
    var statuses: [String: PublishedStatus] = [:]
    var journal: [String: JobRecord] = [:]
    var proofs: [WalletProof] = []
    var operations: [WalletOperation] = []
    /// Mint state by Y, for every Y asked about.
    var mint: [String: ProofState.State] = [:]
    /// The first 16 characters of each blinded output's B_, by wallet operation.
    var outputs: [String: [String]] = [:]
    var walletOutputs: [WalletOutput] = []
    /// B_ (hex) of every journaled output the mint has signed (NUT-09 restore).
    var signed: Set<String> = []
    /// Proofs of every change token published, by the token text.
    var changeProofs: [String: [Proof]] = [:]

    /// Only the final statuses and results, for waiting until every job has ended.
    static func endings(pool: RelayPool, worker: String) async -> [String: JobState] {
        let read = await pool.fetchStored(
            [Filter(authors: [worker], kinds: [LoomKind.jobStatus.rawValue, LoomKind.jobResult.rawValue])],
            timeout: .seconds(15))
        var newest: [String: (Int64, JobState)] = [:]
        for event in read.events {
            if event.kind == LoomKind.jobResult.rawValue, let e = event.tagValues("e").first,
                let state = event.firstTag("status").flatMap({ $0.count > 1 ? JobState(rawValue: $0[1]) : nil })
            {
                newest[e] = (Int64.max, state)  // a result is the end, whatever status is newest
            } else if let status = try? JobStatus.parse(event), (newest[status.requestID]?.0 ?? Int64.min) < status.createdAt {
                newest[status.requestID] = (status.createdAt, status.status.status)
            }
        }
        return newest.mapValues(\.1)
    }

    static func read(tickets: [Ticket], stack: ChaosStack) async throws -> Observation {
        var o = Observation()
        let worker = stack.workerKey.xOnlyPublicKey.hex
        let byID = Dictionary(uniqueKeysWithValues: tickets.map { ($0.id, $0) })
        let pool = try RelayPool(urls: [stack.relay.url])
        let read = await pool.fetchStored(
            [Filter(authors: [worker], kinds: [LoomKind.jobStatus.rawValue, LoomKind.jobResult.rawValue])],
            timeout: .seconds(20))
        await pool.close()
        guard read.isComplete else { throw ChaosFailure("the relay did not finish sending its events") }
        for event in read.events {
            if event.kind == LoomKind.jobStatus.rawValue, let status = try? JobStatus.parse(event) {
                if (o.statuses[status.requestID]?.createdAt ?? Int64.min) <= status.createdAt {
                    o.statuses[status.requestID] = status
                }
            } else if event.kind == LoomKind.jobResult.rawValue, let id = event.tagValues("e").first, let ticket = byID[id] {
                let result: Result
                do {
                    result = Result(
                        eventID: event.id,
                        opened: try JobResult.open(event, clientKey: ticket.key, worker: worker, requestID: id), unreadable: nil)
                } catch {
                    result = Result(eventID: event.id, opened: nil, unreadable: "\(error)")
                }
                if !(o.results[id] ?? []).contains(where: { $0.eventID == event.id }) {
                    o.results[id, default: []].append(result)
                }
            }
        }
        let journal = try JobJournal(path: stack.dataDir.appendingPathComponent("jobs.sqlite").path)
        for ticket in tickets { o.journal[ticket.id] = try journal.job(ticket.id) }
        if let folder = stack.walletDirectory { try o.readWallet(folder.appendingPathComponent("wallet.sqlite")) }
        for change in o.results.values.flatMap({ $0 }).compactMap({ $0.opened?.result.change }) {
            o.changeProofs[change] = (try? Token.decode(change).proofs) ?? []
        }
        let ys =
            tickets.flatMap(\.ys) + o.proofs.map(\.y) + o.walletOutputs.map(\.y)
            + (try o.changeProofs.values.flatMap { $0 }.map { try $0.Y().hex })
        try await o.askMint(Array(Set(ys)), url: stack.mint.httpURL)
        return o
    }

    /// The worker's wallet, read directly (the worker has stopped).
    mutating func readWallet(_ path: URL) throws {
        let db = try DatabaseQueue(path: path.path)
        try db.read { db in
            proofs = try Row.fetchAll(db, sql: "SELECT secret, amount, state, operation_id FROM proofs").map { row in
                let secret: String = row["secret"]
                return WalletProof(
                    secret: secret, amount: UInt64(row["amount"] as Int64), state: row["state"], operationID: row["operation_id"],
                    y: try BDHKE.hashToCurve(Array(secret.utf8)).hex)
            }
            operations = try Row.fetchAll(db, sql: "SELECT * FROM operations ORDER BY created_at, rowid").map { row in
                WalletOperation(
                    id: row["id"], kind: row["kind"], state: row["state"], amount: UInt64(row["amount"] as Int64),
                    fee: UInt64(row["fee"] as Int64), memo: row["memo"], token: row["token"], error: row["error"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM outputs ORDER BY operation_id, position") {
                let b: String = row["b"], secret: String = row["secret"]
                outputs[row["operation_id"], default: []].append(String(b.prefix(16)))
                let message = BlindedMessage(
                    amount: Amount(UInt64(row["amount"] as Int64)), id: try KeysetID(hex: row["keyset_id"]),
                    B_: try PublicKey(hex: b))
                walletOutputs.append(
                    WalletOutput(
                        operationID: row["operation_id"], role: row["role"], secret: secret,
                        y: try BDHKE.hashToCurve(Array(secret.utf8)).hex, message: message))
            }
        }
    }

    /// NUT-07 at the mint itself, not through the proxy.
    mutating func askMint(_ ys: [String], url: String) async throws {
        let client = MintClient(url: url)
        for start in stride(from: 0, to: ys.count, by: 100) {
            let chunk = Array(ys[start..<min(start + 100, ys.count)])
            for state in try await client.checkState(Ys: chunk) { mint[state.Y] = state.state }
        }
        let messages = walletOutputs.map(\.message)
        for start in stride(from: 0, to: messages.count, by: 100) {
            let restored = try await client.restore(outputs: Array(messages[start..<min(start + 100, messages.count)]))
            signed.formUnion(restored.outputs.map(\.B_.hex))
        }
    }

    func mintState(_ ys: [String]) -> [ProofState.State?] { ys.map { mint[$0] } }
}
