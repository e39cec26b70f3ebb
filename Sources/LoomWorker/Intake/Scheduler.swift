/// Slots and the FIFO queue, as plain values (the `Worker` actor owns one).
///
/// A place is reserved before the payment is swapped, so a full worker
/// refuses with `worker-busy` while the client still holds its money,
/// instead of taking the token and refunding it.
struct Scheduler: Sendable {
    let maxRunning: Int
    /// nil = unbounded.
    let maxQueue: Int?
    private(set) var running: Set<String> = []
    private(set) var queue: [String] = []
    /// Places promised to requests whose payment is being swapped.
    private(set) var reserved = 0

    init(maxRunning: Int, maxQueue: Int?) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueue = maxQueue
    }

    /// Takes a place for a request about to be paid; false when full.
    mutating func reserve() -> Bool {
        let taken = running.count + queue.count + reserved
        if let maxQueue, taken >= maxRunning + maxQueue { return false }
        reserved += 1
        return true
    }

    mutating func release() { reserved = max(0, reserved - 1) }

    /// True when a job placed now would start at once.
    var hasFreeSlot: Bool { running.count < maxRunning && queue.isEmpty }

    enum Placement: Equatable { case start, queued(position: Int) }

    /// A paid job takes its reserved place: a slot when one is free and
    /// nobody waits ahead of it, else the end of the queue.
    mutating func place(_ id: String, reserved wasReserved: Bool = true) -> Placement {
        if wasReserved { release() }
        if running.count < maxRunning, queue.isEmpty {
            running.insert(id)
            return .start
        }
        queue.append(id)
        return .queued(position: queue.count)
    }

    /// A running job ended: returns the next job to start, if any.
    mutating func finish(_ id: String) -> String? {
        running.remove(id)
        guard running.count < maxRunning, !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        running.insert(next)
        return next
    }

    /// Takes a job out of the queue (cancelled, expired, shutdown); true if it was there.
    mutating func dequeue(_ id: String) -> Bool {
        guard let i = queue.firstIndex(of: id) else { return false }
        queue.remove(at: i)
        return true
    }

    func position(_ id: String) -> Int? { queue.firstIndex(of: id).map { $0 + 1 } }
}
