/// A set that remembers only the newest `capacity` ids, so deduplication of a
/// never-ending stream of events uses bounded memory.
struct RecentIDs: Sendable {
    private var members: Set<String> = []
    private var order: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        members.reserveCapacity(self.capacity)
    }

    /// Adds `id`; false when it was already there.
    mutating func insert(_ id: String) -> Bool {
        guard !members.contains(id) else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            members.remove(order[next])
            order[next] = id
            next = (next + 1) % capacity
        }
        members.insert(id)
        return true
    }

    func contains(_ id: String) -> Bool { members.contains(id) }
    var count: Int { members.count }
}
