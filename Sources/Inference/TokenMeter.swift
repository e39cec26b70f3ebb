import NIOCore

/// Counts streamed tokens and times them, for backends that report less
/// than Ollama does.
struct TokenMeter: Sendable {
    private(set) var count = 0
    private var first: ContinuousClock.Instant?
    private var last: ContinuousClock.Instant?

    mutating func tick() {
        let now = ContinuousClock.now
        count += 1
        if first == nil { first = now }
        last = now
    }

    /// Time from the first token to the last.
    var generationTime: Duration? {
        guard let first, let last, count > 1 else { return nil }
        return first.duration(to: last)
    }

    /// Tokens after the first over the time they took: the first token's
    /// delay is prompt processing, not generation.
    var tokensPerSecond: Double? {
        guard let time = generationTime, time > .zero else { return nil }
        return Double(count - 1) / time.inSeconds
    }
}

extension Duration {
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
