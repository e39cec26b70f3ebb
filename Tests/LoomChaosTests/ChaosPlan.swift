import Foundation

/// SplitMix64 with our own range helpers: the standard library's
/// `random(in:using:)` does not promise the same numbers across Swift
/// versions, and a seed must replay the same plan everywhere.
struct SeededGenerator: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// Everything one seed decides before the run: the jobs (who pays what,
/// how long each runs, which are cancelled or double-spent and when), the
/// moments the worker is killed, and when the operator looks at the wallet.
/// Times are seconds from the start of the chaos phase.
struct ChaosPlan: Sendable {
    /// alice and bob submit side by side; carol sometimes spends her own token
    /// at the mint at about the moment she sends it to the worker.
    enum Client: String, CaseIterable, Sendable { case alice, bob, carol }

    struct Job: Sendable {
        let index: Int
        let client: Client
        let amount: UInt64
        /// The stub generates this many tokens (`num_predict`) at `tokensPerSecond`.
        let numPredict: Int
        let maxSeconds: UInt64?
        let lockChange: Bool
        let submitAt: Double
        /// After the submission.
        let cancelAfter: Double?
        /// Relative to the submission; negative: carol spends first.
        let doubleSpendAt: Double?
        /// Paid with a token P2PK-locked to the worker (an hour's locktime,
        /// the client's refund key): the worker admits it early, the job
        /// running beside its swap (docs/PROTOCOL.md, "Early admission").
        /// Never carol's: she must be able to spend her token herself.
        let locked: Bool
        var label: String { String(format: "#%02d", index) }
    }

    struct Kill: Sendable {
        let at: Double
        let downFor: Double
    }

    static let tokensPerSecond = 10
    static let jobsPerClient: [Client: Int] = [.alice: 12, .bob: 12, .carol: 9]

    let seed: UInt64
    /// Submissions, kills and the operator's look all fall inside this window.
    let window: Double
    let jobs: [Job]
    let kills: [Kill]
    let operatorAt: Double

    init(seed: UInt64, window: Double = 45) {
        var g = SeededGenerator(seed: seed)
        self.seed = seed
        self.window = window
        var drafts: [(Client, Double, SeededGenerator)] = []
        for client in Client.allCases {
            for _ in 0..<(Self.jobsPerClient[client] ?? 0) {
                // Each job gets its own generator, split off the main one, so its
                // details do not shift when the submission times are sorted.
                drafts.append((client, g.unit() * (window - 8), SeededGenerator(seed: g.next())))
            }
        }
        drafts.sort { $0.1 < $1.1 }
        jobs = drafts.enumerated().map { index, draft in
            var j = draft.2
            let amount = UInt64(j.int(4...14))
            let numPredict = j.pick([3, 8, 15, 30, 60])
            let maxSeconds: UInt64? = j.chance(0.25) ? 2 : nil
            let lockChange = j.chance(0.5)
            let cancelAfter: Double? = j.chance(0.2) ? j.unit() * 4 : nil
            let doubleSpend: Double? = draft.0 == .carol && j.chance(0.5) ? j.unit() * 0.9 - 0.3 : nil
            // Drawn last, so the draws above (and older seeds' plans) stay as they were.
            let locked = draft.0 != .carol && j.chance(0.5)
            return Job(
                index: index + 1, client: draft.0, amount: amount, numPredict: numPredict, maxSeconds: maxSeconds,
                lockChange: lockChange, submitAt: draft.1, cancelAfter: cancelAfter, doubleSpendAt: doubleSpend,
                locked: locked)
        }
        // Three kills, one in each third of the window, so the worker has
        // time to come back and take jobs between them.
        let third = (window - 4) / 3
        kills = (0..<3).map { i in
            Kill(at: 4 + Double(i) * third + g.unit() * (third - 3), downFor: 0.5 + g.unit() * 2.5)
        }
        operatorAt = 8 + g.unit() * (window - 16)
    }

    var summary: String {
        let cancels = jobs.filter { $0.cancelAfter != nil }.count
        let doubles = jobs.filter { $0.doubleSpendAt != nil }.count
        let locked = jobs.filter(\.locked).count
        let kills = kills.map { String(format: "t+%.1fs (down %.1fs)", $0.at, $0.downFor) }.joined(separator: ", ")
        return
            "\(jobs.count) jobs (\(cancels) cancelled, \(doubles) double-spent, \(locked) paid locked to the worker), kills at \(kills), operator at t+\(String(format: "%.1f", operatorAt))s"
    }
}
