public import XMPPCore

/// A change to the blocklist (XEP-0191), made by this session or pushed by
/// the server because another session of the account made it.
public enum BlocklistChange: Hashable, Sendable {
    /// These JIDs are blocked now.
    case blocked([JID])
    /// These JIDs are no longer blocked.
    case unblocked([JID])
    /// Nothing is blocked any more.
    case unblockedAll
}

/// The blocklist as a value: the JIDs in the order they were first
/// blocked, and what a change actually changes. Membership is kept in a set
/// as well, so a push or a list of thousands of JIDs costs linear time.
struct BlocklistState: Hashable, Sendable {
    private(set) var jids: [JID] = []
    private var members: Set<JID> = []

    /// Replaces the list with a fetched one.
    mutating func replace(with jids: [JID]) {
        self.jids = []
        members = []
        for jid in jids where members.insert(jid).inserted { self.jids.append(jid) }
    }

    /// Whether `jid` is listed, or its bare JID is, or its domain is.
    func blocks(_ jid: JID) -> Bool {
        if members.contains(jid) || members.contains(JID(jid.bare)) { return true }
        return jids.contains { $0.localpart == nil && $0.isBare && $0.domainpart == jid.domainpart }
    }

    /// Applies `change`.
    /// - Returns: What changed: only the JIDs whose state flipped, or `nil`
    ///   when nothing did (a push repeating what this session already
    ///   applied from its own request's result).
    mutating func apply(_ change: BlocklistChange) -> BlocklistChange? {
        switch change {
        case .blocked(let blocked):
            var added: [JID] = []
            for jid in blocked where members.insert(jid).inserted {
                jids.append(jid)
                added.append(jid)
            }
            return added.isEmpty ? nil : .blocked(added)
        case .unblocked(let unblocked):
            let leaving = Set(unblocked).intersection(members)
            guard !leaving.isEmpty else { return nil }
            let removed = jids.filter { leaving.contains($0) }
            jids.removeAll { leaving.contains($0) }
            members.subtract(leaving)
            return .unblocked(removed)
        case .unblockedAll:
            guard !jids.isEmpty else { return nil }
            jids = []
            members = []
            return .unblockedAll
        }
    }
}
