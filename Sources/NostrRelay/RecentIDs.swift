/// A set that remembers only the newest `capacity` ids, so deduplication of a
/// never-ending stream of events uses bounded memory.
public struct RecentIDs: Sendable {
    private var members: Set<String> = []
    private var order: [String] = []
    private var next = 0
    public let capacity: Int

    /// Nothing is reserved up front: a job's subscription sees a few dozen
    /// events, and reserving the whole capacity (10,000 by default) would
    /// give each one a 270 kB table it never fills.
    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Adds `id`; false when it was already there.
    @discardableResult
    public mutating func insert(_ id: String) -> Bool {
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

    public func contains(_ id: String) -> Bool { members.contains(id) }
    public var count: Int { members.count }
}
