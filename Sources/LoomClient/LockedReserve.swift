import Cashu
import CashuWallet
import Foundation
import Logging
import Nostr
import Secp256k1

/// Tokens locked to a worker before the call that pays with them, so that
/// a worker which admits early (`early_admission`, docs/PROTOCOL.md) starts
/// the job without any mint round trip on the call's path: the lock's swap
/// happened after the previous call, in the background.
///
/// Each token is P2PK-locked to the worker with a locktime `lifetime` ahead
/// and the wallet's own key as refund key, made by an ordinary journaled
/// send (memo `memo`), so the wallet's history holds it. A token is handed
/// out only while its refund is far enough off for the worker's rule
/// (`freshFor`); an older one waits for its locktime and comes back to the
/// wallet (`reclaim`). After a restart none is reused (one may have paid a
/// job just before the stop): `recover` only reclaims them, once they open.
///
/// A token is used only for a call to the same worker paying the same
/// amount, so the amount a call pays, and its cap, do not change. Only with
/// a mint that charges no input fee (see `fill`).
public actor LockedReserve {
    public struct Held: Sendable, Hashable {
        public let token: String
        public let amount: Amount
        /// The fee of the swap that made it: the call that uses it counts it.
        public let fee: Amount
        public let locktime: Int64
    }

    struct Slot: Hashable {
        let worker: String
        let amount: UInt64
    }

    public static let memo = "loom-reserve"

    let wallet: Wallet
    let lifetime: Int64
    let freshFor: Int64
    let depth: Int
    let logger: Logger
    private var held: [Slot: [Held]] = [:]
    private var waiting: [Held] = []
    private var filling: Set<Slot> = []
    private var fills: [Slot: Task<Void, Never>] = [:]
    /// The worker and amount pairs calls asked for lately, newest last.
    private var wanted: [(Slot, XOnlyPublicKey)] = []
    private var reclaiming: Task<Void, Never>?
    static let wantedLimit = 4

    /// `depth` tokens per worker and amount: calls in flight at once to the same worker.
    public init(
        wallet: Wallet, lifetime: Int64 = 3_600, freshFor: Int64 = 1_800, depth: Int = 2,
        logger: Logger = Logger(label: "loom.reserve")
    ) {
        self.wallet = wallet
        self.lifetime = lifetime
        self.freshFor = min(freshFor, lifetime)
        self.depth = max(1, depth)
        self.logger = logger
    }

    /// A token locked to `worker` worth exactly `amount`, if one is ready.
    /// Either way the pair is remembered: `refill` makes the next one.
    public func take(worker: XOnlyPublicKey, amount: Amount, now: Int64 = Event.now()) -> Held? {
        retireStale(now)
        let slot = Slot(worker: worker.hex, amount: amount.value)
        wanted.removeAll { $0.0 == slot }
        wanted.append((slot, worker))
        if wanted.count > Self.wantedLimit { wanted.removeFirst() }
        guard var list = held[slot], !list.isEmpty else { return nil }
        let next = list.removeFirst()
        held[slot] = list
        return next
    }

    /// After a call, off its path: tops up every recently asked worker and
    /// amount to `depth` tokens, and brings back retired tokens that opened.
    public func refill(now: Int64 = Event.now()) {
        for (slot, worker) in wanted { want(slot, worker: worker) }
        if reclaiming == nil, waiting.contains(where: { $0.locktime < now }) {
            reclaiming = Task {
                await self.reclaim()
                self.reclaimDone()
            }
        }
    }

    private func reclaimDone() { reclaiming = nil }

    /// Makes one more token for `slot` in the background, unless `depth`
    /// are held or one is being made.
    private func want(_ slot: Slot, worker: XOnlyPublicKey) {
        guard slot.amount > 0, (held[slot]?.count ?? 0) < depth, !filling.contains(slot),
            let refund = wallet.refundKey
        else { return }
        filling.insert(slot)
        fills[slot] = Task { await self.fill(slot, lockTo: worker.evenPublicKey, refund: refund) }
    }

    private func fill(_ slot: Slot, lockTo worker: PublicKey, refund: PublicKey) async {
        defer {
            filling.remove(slot)
            fills[slot] = nil
        }
        // With a fee-charging mint a token that is never used (reclaimed after
        // its locktime) would cost two fees no call accounts for: none is made.
        guard (try? await wallet.activeInputFeePpk(maxAge: .seconds(60))) == 0 else { return }
        let locktime = Event.now() + lifetime
        let lock = P2PKConditions(data: worker, locktime: UInt64(locktime), refundKeys: [refund])
        do {
            let sent = try await wallet.send(Amount(slot.amount), lock: lock, memo: Self.memo)
            held[slot, default: []].append(Held(token: sent.token, amount: sent.amount, fee: sent.fee, locktime: locktime))
        } catch {
            logger.notice("locked token not made", metadata: ["error": "\(error)"])
        }
    }

    /// Waits for the tokens being made and a reclaim in flight (tests, shutdown).
    public func settled() async {
        for task in Array(fills.values) { await task.value }
        await reclaiming?.value
    }

    /// How many tokens are ready, and how many wait to come back.
    public var counts: (ready: Int, waiting: Int) { (held.values.reduce(0) { $0 + $1.count }, waiting.count) }

    /// Tokens too close to their refund for the worker's rule stop being offered.
    private func retireStale(_ now: Int64) {
        for (slot, list) in held {
            let (fresh, stale) = (list.filter { $0.locktime - now >= freshFor }, list.filter { $0.locktime - now < freshFor })
            guard !stale.isEmpty else { continue }
            held[slot] = fresh
            waiting += stale
        }
    }

    /// Receives back every retired token whose locktime has passed (the
    /// wallet signs with its refund key); returns what came back. A token a
    /// worker swapped after all is refused by the mint and forgotten.
    @discardableResult
    public func reclaim(now: Int64 = Event.now()) async -> Amount {
        retireStale(now)
        let due = waiting.filter { $0.locktime < now }
        waiting.removeAll { $0.locktime < now }
        var back = Amount.zero
        for token in due {
            do {
                let received = try await wallet.receive(token.token)
                back = Amount(back.value + received.received.value)
            } catch WalletError.pendingOutcome {
                waiting.append(token)  // the mint's answer was lost: the wallet settles it; ask again later
            } catch WalletError.alreadyReceived {
                continue  // back already (found again in the history after a restart)
            } catch {
                logger.notice("reserve token not reclaimed", metadata: ["error": "\(error)"])
            }
        }
        return back
    }

    /// After a restart: every reserve token in the wallet's recent history
    /// waits to come back; none is offered again.
    public func recover(historyLimit: Int = 2_000) async {
        guard let records = try? await wallet.history(limit: historyLimit) else { return }
        for record in records where record.kind == "send" && record.memo == Self.memo {
            guard let text = record.token, let token = try? Token.decode(text),
                let locktime = token.proofs.compactMap({ Self.locktime(of: $0) }).max()
            else { continue }
            waiting.append(Held(token: text, amount: Amount(record.amount), fee: Amount(record.fee), locktime: locktime))
        }
    }

    static func locktime(of proof: Proof) -> Int64? {
        guard let secret = try? WellKnownSecret(parsing: proof.secret),
            let locktime = (try? P2PKConditions(secret: secret))?.locktime
        else { return nil }
        return Int64(clamping: locktime)
    }
}
