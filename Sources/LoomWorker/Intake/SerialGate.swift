/// Lets one task at a time through, in arrival order. The worker makes
/// change through it: a send locks the proofs it spends until the mint
/// answers, so two at once could each find the other's proofs taken and
/// report "insufficient funds" in a wallet that holds plenty.
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
