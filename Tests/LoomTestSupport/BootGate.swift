/// Lets only a few test servers boot at once in one test process.
///
/// A live suite starts dozens of Python servers (mints, relays) at the same
/// moment; on 2 cores their interpreters' start-up then shares the CPU so
/// thinly that each takes over a minute to listen, and the start deadline,
/// meant for one server booting, fails healthy tests (a fresh-clone CI run
/// on 2026-12-07: 16 mints "did not listen within 60 s"). Queued boots wait
/// here, and a server's deadline counts from when its own boot begins.
actor BootGate {
    static let shared = BootGate(slots: 4)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) { free = max(slots, 1) }

    /// Runs `boot` once a slot is free; the slot is given back however it
    /// ends. (`SerialGate` in LoomWorker is the one-slot kind, for the worker.)
    func admit<T: Sendable>(_ boot: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await boot()
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
