import Cashu
import CashuWallet
import LoomProtocol
import Nostr
import NostrRelay
import Secp256k1

/// Why a client operation could not be done. Each message says what to do next.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// No relay answered (connection refused, timeout) within the deadline.
    case relaysUnreachable([String])
    /// Every relay refused the event; their reasons.
    case publishRefused(String)
    /// No live worker serves the model (optionally at this mint).
    case noWorkerForModel(model: String, mint: String?)
    /// The worker named by the user has no live advertisement.
    case unknownWorker(String)
    /// The chosen worker does not serve the model or take the mint.
    case workerMismatch(String)
    /// The local wallet cannot pay; nothing was spent.
    case insufficientFunds(needed: Amount, available: Amount)
    /// The job id is not in the client journal and its request could not be found on the relays.
    case unknownJob(String)
    /// A job can be cancelled only by its author.
    case notOurJob(String)
    case invalidInput(String)
    case wallet(WalletError)
    /// The sealed request would be larger than the worker reads; nothing was paid or sent.
    case requestTooLarge(bytes: Int, limit: Int, worker: String, takesBlobs: Bool)
    /// The input blob would be larger than the worker fetches; nothing was paid or sent.
    case inputTooLarge(bytes: UInt64, limit: UInt64, worker: String)
    /// No advertised Blossom server of the worker took the input blob; nothing was paid or sent.
    case inputUploadFailed(String, servers: [String])
    /// The payment could not be reclaimed: the mint says it is spent (the worker took it).
    case paymentTaken
    /// A URL the worker chose would make us dial a local or private address.
    case unsafeAddress(String)

    public var description: String {
        switch self {
        case .relaysUnreachable(let urls):
            "no relay could be reached (\(urls.joined(separator: ", "))); check --relay / NOSTR_RELAYS and your connection"
        case .publishRefused(let why): "no relay accepted the event: \(why)"
        case .noWorkerForModel(let model, let mint):
            "no live worker serves model \"\(model)\"" + (mint.map { " and takes ecash from \($0)" } ?? "")
                + "; see `loom workers` for what is offered"
        case .unknownWorker(let who):
            "worker \((try? XOnlyPublicKey(hex: who).npub) ?? who) has no live advertisement on these relays; see `loom workers`"
        case .workerMismatch(let why): why
        case .insufficientFunds(let needed, let available):
            "the wallet holds \(available) sat but this job needs \(needed) sat including mint fees; fund it with `loom wallet mint` or pass --token"
        case .unknownJob(let id): "job \(id) is not in the client journal and its request was not found on the relays"
        case .notOurJob(let id): "job \(id) was requested by another key; only its author can cancel it"
        case .invalidInput(let why): why
        case .wallet(let e): e.description
        case .requestTooLarge(let n, let limit, let worker, false):
            "the request would be \(n) bytes; worker \(worker) reads at most \(limit) and takes no input blobs (it does not advertise max_input_bytes); shorten the input or choose a worker that takes a document blob; nothing was paid"
        case .requestTooLarge(let n, let limit, let worker, true):
            "the request would be \(n) bytes even with the input as a blob; worker \(worker) reads at most \(limit); send fewer options; nothing was paid"
        case .inputTooLarge(let n, let limit, let worker):
            "the input blob would be \(n) bytes; worker \(worker) fetches at most \(limit) (max_input_bytes); shorten the input or choose another worker; nothing was paid"
        case .paymentTaken: "the payment token is already spent: the worker (or someone else) redeemed it"
        case .unsafeAddress(let why): why
        case .inputUploadFailed(let why, let servers):
            "no Blossom server of the worker (\(servers.joined(separator: ", "))) took the input blob: \(why); nothing was paid"
        }
    }
}

extension ClientError {
    /// A failed publish as the user should hear it: no relay reachable, or refused by those that were.
    static func publishFailed(_ error: RelayPoolError, relays: [String]) -> ClientError {
        guard case .allRefused(let errors) = error else { return .relaysUnreachable(relays) }
        let refused = errors.contains { error in
            if case .rejected = error { return true }
            return false
        }
        return refused ? .publishRefused(error.description) : .relaysUnreachable(relays)
    }
}
