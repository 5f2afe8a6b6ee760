/// A bounded set of recent keys: remembers the last `limit` inserted, so
/// that the memory of answered receipts stays bounded on a long session.
struct RecentKeys {
    private var order: [String] = []
    private var members: Set<String> = []
    private var start = 0
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Adds `key`; `false` if it was already there.
    mutating func insert(_ key: String) -> Bool {
        guard members.insert(key).inserted else { return false }
        if order.count < limit {
            order.append(key)
        } else {
            members.remove(order[start])
            order[start] = key
            start = (start + 1) % limit
        }
        return true
    }

    /// Whether `key` is remembered.
    func contains(_ key: String) -> Bool { members.contains(key) }
}
