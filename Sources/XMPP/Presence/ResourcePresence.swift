public import XMPPCore

/// The last available presence one resource of a contact (or of our own
/// account) sent.
///
/// The whole stanza is kept in ``presence``, so extensions such as XEP-0115
/// capabilities or XEP-0153 avatar hashes can be read from it.
public struct ResourcePresence: Hashable, Sendable {
    /// The resource's full JID.
    public let jid: FullJID
    /// The available presence it sent last, verbatim.
    public let presence: Presence

    /// Creates a record of an available presence from `jid`.
    /// - Parameters:
    ///   - jid: The sender's full JID.
    ///   - presence: The presence it sent.
    public init(jid: FullJID, presence: Presence) {
        self.jid = jid
        self.presence = presence
    }

    /// The sub-state; `nil` means plain "online".
    public var show: Presence.Show? { presence.show }
    /// The status text in the stanza's language, if any.
    public var status: String? { presence.status }
    /// Every status text, one per language.
    public var statuses: [LanguageTaggedText] { presence.statuses }
    /// The priority (0 when the presence gave none).
    public var priority: Int8 { presence.effectivePriority }

    /// Whether this resource is a better one to talk to than `other`: a
    /// higher priority, or the same priority and a more available `show`
    /// (chat, then plain online, then away, then xa, then dnd).
    ///
    /// RFC 6121 ranks only by priority; the order of `show` values is the
    /// one most clients use, since it is what a user means by "most
    /// available".
    /// - Parameter other: The resource to compare with.
    /// - Returns: `true` when this one ranks strictly higher.
    public func ranks(above other: ResourcePresence) -> Bool {
        if priority != other.priority { return priority > other.priority }
        return Self.availabilityRank(show) < Self.availabilityRank(other.show)
    }

    /// 0 for the most available `show`, higher for less available ones.
    static func availabilityRank(_ show: Presence.Show?) -> Int {
        switch show {
        case .chat: 0
        case nil: 1
        case .away: 2
        case .xa: 3
        case .dnd: 4
        }
    }
}
