public import XMPPCore

/// A change to what is known of someone's presence, caused by one presence
/// stanza, or by the tracker forgetting an account (see
/// ``PresenceLedger/forget(_:)``).
public struct PresenceUpdate: Hashable, Sendable {
    /// What happened.
    public enum Change: Hashable, Sendable {
        /// A resource that was not available became available.
        case available(ResourcePresence)
        /// An available resource sent a new available presence (a new
        /// show, status, priority or extension, or the same again).
        case updated(ResourcePresence)
        /// Resources became unavailable: one for a presence from a full
        /// JID, all of the account's for one from a bare JID. Lists what
        /// they had last sent; empty when none of them was known to be
        /// available.
        case unavailable([ResourcePresence])
        /// A presence of type `error` (for example a bounced directed
        /// presence): the error, and the resources it took away (the
        /// sender's, or all of the account's when the sender is a bare JID).
        case failed(StanzaError, removed: [ResourcePresence])
    }

    /// The sender: a resource's full JID, or an account's bare JID.
    public let jid: JID
    /// What happened.
    public let change: Change
    /// The stanza that caused it. When an account was forgotten (we went
    /// unavailable, or unsubscribed from it) it is an unavailable presence
    /// from the account's bare JID, made locally.
    public let presence: Presence
    /// The account as it is now, after the change.
    public let contact: ContactPresence
    /// Whether the account is our own (another of our resources, or this
    /// one's own presence, which the server echoes).
    public let isOwnAccount: Bool

    /// Creates an update.
    /// - Parameters:
    ///   - jid: The sender.
    ///   - change: What happened.
    ///   - presence: The stanza that caused it.
    ///   - contact: The account after the change.
    ///   - isOwnAccount: Whether the account is ours.
    public init(jid: JID, change: Change, presence: Presence, contact: ContactPresence, isOwnAccount: Bool) {
        self.jid = jid
        self.change = change
        self.presence = presence
        self.contact = contact
        self.isOwnAccount = isOwnAccount
    }
}
