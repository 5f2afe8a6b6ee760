public import XMPPCore

/// What is known of one account's presence (a contact, or our own): its
/// available resources, best first, and the error its last presence
/// reported, if any.
public struct ContactPresence: Hashable, Sendable {
    /// The account's bare JID.
    public let jid: BareJID
    /// The available resources, best first (see
    /// ``ResourcePresence/ranks(above:)``); among equals, the one heard
    /// from most recently comes first.
    public private(set) var resources: [ResourcePresence]
    /// The error of the last presence of type `error` from this account
    /// (RFC 6121 §4.7.1), until an available or unavailable presence from
    /// it shows it is reachable again.
    public internal(set) var error: StanzaError?

    /// Creates a record with no resources and no error.
    /// - Parameter jid: The account's bare JID.
    public init(jid: BareJID) {
        self.jid = jid
        self.resources = []
        self.error = nil
    }

    /// The resource to talk to: the first of ``resources``.
    public var best: ResourcePresence? { resources.first }

    /// Whether any resource is available.
    public var isAvailable: Bool { !resources.isEmpty }

    /// The resource with this resourcepart, if it is available.
    /// - Parameter resourcepart: The resource's name, as in its full JID.
    public func resource(_ resourcepart: String) -> ResourcePresence? {
        resources.first { $0.jid.resourcepart == resourcepart }
    }

    /// Whether nothing is known: no resource and no error.
    var isEmpty: Bool { resources.isEmpty && error == nil }

    /// Records a resource's presence, replacing its earlier one.
    /// - Returns: Whether the resource was not available before.
    mutating func record(_ resource: ResourcePresence) -> Bool {
        let removed = remove(resource.jid)
        // Before the first one it does not rank below: the newest wins ties.
        let index = resources.firstIndex { !$0.ranks(above: resource) } ?? resources.endIndex
        resources.insert(resource, at: index)
        return removed.isEmpty
    }

    /// Removes one resource.
    /// - Returns: What it had sent, if it was available.
    mutating func remove(_ jid: FullJID) -> [ResourcePresence] {
        guard let index = resources.firstIndex(where: { $0.jid == jid }) else { return [] }
        return [resources.remove(at: index)]
    }

    /// Removes every resource.
    /// - Returns: What they had sent, best first.
    mutating func removeAll() -> [ResourcePresence] {
        defer { resources.removeAll() }
        return resources
    }
}
